// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Builds a page. {@link #text(Object)} escapes everything it is given (element text and attribute
 * values alike), so data from DNS, the queue or the key store can never become markup; {@link
 * #raw(String)} is for this package's own constant markup only.
 */
final class Html {
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  private final StringBuilder sb;

  Html() {
    this(8192);
  }

  Html(int capacity) {
    sb = new StringBuilder(capacity);
  }

  /** Appends this package's own markup, unescaped. */
  Html raw(String markup) {
    sb.append(markup);
    return this;
  }

  /** Appends {@code value} as text, escaped for element content and quoted attributes. */
  Html text(Object value) {
    escape(String.valueOf(value), sb);
    return this;
  }

  Html number(long n) {
    sb.append(n);
    return this;
  }

  /** {@code <tag class="cls">text</tag>}, the text escaped. */
  Html el(String tag, String cls, Object text) {
    sb.append('<').append(tag);
    if (!cls.isEmpty()) {
      sb.append(" class=\"").append(cls).append('"');
    }
    sb.append('>');
    text(text);
    sb.append("</").append(tag).append('>');
    return this;
  }

  @Override
  public String toString() {
    return sb.toString();
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    escape(s, out);
    return out.toString();
  }

  private static void escape(String s, StringBuilder out) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&':
          out.append("&amp;");
          break;
        case '<':
          out.append("&lt;");
          break;
        case '>':
          out.append("&gt;");
          break;
        case '"':
          out.append("&quot;");
          break;
        case '\'':
          out.append("&#39;");
          break;
        default:
          // Control characters other than tab and newline have no place in a page.
          out.append(c < 0x20 && c != '\t' && c != '\n' ? '\uFFFD' : c);
      }
    }
  }

  static String minute(Instant t) {
    return MINUTE.format(t);
  }

  static String day(Instant t) {
    return DAY.format(t);
  }

  static String minuteOr(Optional<Instant> t, String none) {
    return t.map(Html::minute).orElse(none);
  }

  /** A duration for people: {@code 3d 4h}, {@code 2h 5m}, {@code 40s}. */
  static String age(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s >= 86400) {
      return s / 86400 + "d " + (s % 86400) / 3600 + "h";
    }
    if (s >= 3600) {
      return s / 3600 + "h " + (s % 3600) / 60 + "m";
    }
    if (s >= 60) {
      return s / 60 + "m " + s % 60 + "s";
    }
    return s + "s";
  }
}
