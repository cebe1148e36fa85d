// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Durations ({@code 30s 15m 72h 14d 2w}, or ISO-8601 {@code PT5M}) and sizes ({@code 25MB 256KiB}).
 */
final class Units {
  private Units() {}

  static Duration duration(String text) {
    String t = text.strip();
    if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
      Duration d;
      try {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not a duration: " + text + " (try 30m, 72h, 14d)");
      }
      if (d.isNegative()) {
        throw new IllegalArgumentException("must not be negative: " + text);
      }
      return d;
    }
    if (t.length() < 2) {
      throw new IllegalArgumentException("not a duration: " + text + " (try 30m, 72h, 14d)");
    }
    long n;
    try {
      n = Long.parseLong(t.substring(0, t.length() - 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a duration: " + text + " (try 30m, 72h, 14d)");
    }
    if (n < 0) {
      throw new IllegalArgumentException("must not be negative: " + text);
    }
    try {
      switch (Character.toLowerCase(t.charAt(t.length() - 1))) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        case 'd':
          return Duration.ofDays(n);
        case 'w':
          return Duration.ofDays(Math.multiplyExact(7, n));
        default:
          throw new IllegalArgumentException(
              "not a duration: " + text + " (units s, m, h, d, w; try 30m, 72h, 14d)");
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("too long a duration: " + text);
    }
  }

  static long size(String text) {
    String t = text.strip().toUpperCase(Locale.ROOT);
    long unit = 1;
    String[][] units = {
      {"KIB", "1024"},
      {"MIB", "1048576"},
      {"GIB", "1073741824"},
      {"KB", "1000"},
      {"MB", "1000000"},
      {"GB", "1000000000"},
      {"B", "1"}
    };
    for (String[] u : units) {
      if (t.endsWith(u[0])) {
        unit = Long.parseLong(u[1]);
        t = t.substring(0, t.length() - u[0].length()).strip();
        break;
      }
    }
    try {
      long n = Long.parseLong(t);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(n, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("not a size: " + text + " (try 25MB, 256KiB)");
    }
  }
}
