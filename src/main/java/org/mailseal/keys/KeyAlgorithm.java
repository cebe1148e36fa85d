// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.security.PrivateKey;
import java.util.Locale;

/** The kind of a DKIM key: RSA or Ed25519. */
public enum KeyAlgorithm {
  RSA("rsa", "r"),
  ED25519("ed25519", "e");

  private final String tag;
  private final String letter;

  KeyAlgorithm(String tag, String letter) {
    this.tag = tag;
    this.letter = letter;
  }

  /** The key type as the {@code k=} tag of a key record names it. */
  public String tag() {
    return tag;
  }

  /** The letter that ends a dated selector ({@code s20261122r}). */
  public String letter() {
    return letter;
  }

  /**
   * The algorithm of {@code key}.
   *
   * @throws IllegalArgumentException when it is neither RSA nor Ed25519
   */
  public static KeyAlgorithm of(PrivateKey key) {
    return KeyRules.algorithmOf(key);
  }

  /**
   * The algorithm named {@code text} ({@code rsa} or {@code ed25519}, any case).
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static KeyAlgorithm parse(String text) {
    for (KeyAlgorithm a : values()) {
      if (a.tag.equals(text.strip().toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown key algorithm " + text + " (rsa or ed25519)");
  }
}
