// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dns;

import java.util.List;

/**
 * One TXT resource record as the server sent it: its character-strings (each at most 255 bytes on
 * the wire), in order. DKIM (RFC 6376 §3.6.2.2), SPF (RFC 7208 §3.3) and DMARC read the record as
 * the concatenation of its strings with nothing between them: {@link #text()}.
 *
 * @param strings the character-strings, decoded as ISO-8859-1 so that every byte maps to one char
 */
public record TxtRecord(List<String> strings) {
  public TxtRecord {
    strings = List.copyOf(strings);
  }

  /** A record made of the given strings. */
  public static TxtRecord of(String... strings) {
    return new TxtRecord(List.of(strings));
  }

  /** The strings concatenated without separators. */
  public String text() {
    return String.join("", strings);
  }
}
