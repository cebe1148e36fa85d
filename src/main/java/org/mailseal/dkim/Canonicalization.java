// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

/** A DKIM canonicalization algorithm (RFC 6376 §3.4), for the header or the body. */
public enum Canonicalization {
  SIMPLE("simple"),
  RELAXED("relaxed");

  private final String tag;

  Canonicalization(String tag) {
    this.tag = tag;
  }

  /** The name in the {@code c=} tag. */
  public String tag() {
    return tag;
  }

  /** The algorithm named {@code tag} (case-insensitive), or {@code null}; package use only. */
  static Canonicalization fromTag(String tag) {
    for (Canonicalization c : values()) {
      if (c.tag.equalsIgnoreCase(tag)) {
        return c;
      }
    }
    return null;
  }

  /**
   * Canonicalizes one header field given as its raw text (name, colon, value with any folding,
   * final CRLF), in ISO-8859-1 so every byte is one char. The result ends with CRLF.
   */
  String header(String rawField) {
    if (this == SIMPLE) {
      return rawField; // RFC 6376 §3.4.1: no change at all
    }
    // RFC 6376 §3.4.2
    int colon = rawField.indexOf(':');
    String name = rawField.substring(0, colon);
    StringBuilder sb = new StringBuilder(rawField.length());
    // Lower-case the name and drop the WSP between name and colon.
    int nameEnd = name.length();
    while (nameEnd > 0 && isWsp(name.charAt(nameEnd - 1))) {
      nameEnd--;
    }
    for (int i = 0; i < nameEnd; i++) {
      char c = name.charAt(i);
      sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
    }
    sb.append(':');
    // Unfold, reduce each run of WSP to one SP, drop WSP at the start and end of the value.
    boolean pendingSpace = false;
    boolean started = false;
    for (int i = colon + 1; i < rawField.length(); i++) {
      char c = rawField.charAt(i);
      if (c == '\r' || c == '\n') {
        continue;
      }
      if (isWsp(c)) {
        pendingSpace = true;
        continue;
      }
      if (pendingSpace && started) {
        sb.append(' ');
      }
      pendingSpace = false;
      started = true;
      sb.append(c);
    }
    return sb.append("\r\n").toString();
  }

  private static boolean isWsp(char c) {
    return c == ' ' || c == '\t';
  }
}
