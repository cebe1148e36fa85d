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
    for (String s : strings) {
      if (s.length() > MAX_STRING_BYTES) {
        throw new IllegalArgumentException("TXT character-string longer than 255 bytes");
      }
    }
  }

  /** A record made of the given strings. */
  public static TxtRecord of(String... strings) {
    return new TxtRecord(List.of(strings));
  }

  /** The largest character-string a TXT record can hold (RFC 1035 §3.3). */
  public static final int MAX_STRING_BYTES = 255;

  /**
   * {@code value} as one record, split into character-strings of at most {@link #MAX_STRING_BYTES}
   * bytes each (counted in ISO-8859-1, where every char is one byte). Readers concatenate the
   * strings, so the split points carry no meaning.
   */
  public static TxtRecord split(String value) {
    if (value.isEmpty()) {
      return of("");
    }
    java.util.ArrayList<String> parts = new java.util.ArrayList<>();
    for (int i = 0; i < value.length(); i += MAX_STRING_BYTES) {
      parts.add(value.substring(i, Math.min(value.length(), i + MAX_STRING_BYTES)));
    }
    return new TxtRecord(parts);
  }

  /**
   * The strings as zone-file text (RFC 1035 §5.1): each in double quotes, separated by one space,
   * with {@code "} and {@code \} escaped and bytes outside printable ASCII written as {@code \DDD}.
   */
  public String zoneText() {
    StringBuilder sb = new StringBuilder();
    for (String s : strings) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          sb.append('\\').append(c);
        } else if (c < 0x20 || c > 0x7e) {
          sb.append('\\').append(String.format("%03d", (int) c & 0xff));
        } else {
          sb.append(c);
        }
      }
      sb.append('"');
    }
    return sb.toString();
  }

  /** The strings concatenated without separators. */
  public String text() {
    return String.join("", strings);
  }
}
