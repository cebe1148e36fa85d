// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

/**
 * A signing algorithm mailseal signs with (the {@code a=} tag). rsa-sha1 is deliberately absent:
 * RFC 8301 forbids signing with it, and the verifier refuses it by name.
 */
public enum Algorithm {
  RSA_SHA256("rsa-sha256", "rsa"),
  ED25519_SHA256("ed25519-sha256", "ed25519");

  private final String tag;
  private final String keyType;

  Algorithm(String tag, String keyType) {
    this.tag = tag;
    this.keyType = keyType;
  }

  /** The name in the {@code a=} tag. */
  public String tag() {
    return tag;
  }

  /** The key type ({@code k=} of the key record) this algorithm needs. */
  public String keyType() {
    return keyType;
  }

  /** The algorithm named {@code tag}, or {@code null}; package use only. */
  static Algorithm fromTag(String tag) {
    for (Algorithm a : values()) {
      if (a.tag.equalsIgnoreCase(tag)) {
        return a;
      }
    }
    return null;
  }
}
