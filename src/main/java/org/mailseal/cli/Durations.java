// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/**
 * Reads durations as operators write them: {@code 30s}, {@code 15m}, {@code 12h}, {@code 7d}, or
 * ISO-8601 {@code P7D}.
 */
final class Durations implements CommandLine.ITypeConverter<Duration> {

  @Override
  public Duration convert(String text) {
    return parse(text);
  }

  static Duration parse(String text) {
    String t = text.strip();
    if (t.length() >= 2 && (t.charAt(0) == 'P' || t.charAt(0) == 'p')) {
      try {
        return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("not a duration: " + text);
      }
    }
    if (t.length() < 2) {
      throw new CommandLine.TypeConversionException(
          "not a duration: " + text + " (try 30m, 12h, 7d)");
    }
    long amount;
    try {
      amount = Long.parseLong(t.substring(0, t.length() - 1));
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException(
          "not a duration: " + text + " (try 30m, 12h, 7d)");
    }
    if (amount <= 0) {
      throw new CommandLine.TypeConversionException("duration must be positive: " + text);
    }
    switch (Character.toLowerCase(t.charAt(t.length() - 1))) {
      case 's':
        return Duration.ofSeconds(amount);
      case 'm':
        return Duration.ofMinutes(amount);
      case 'h':
        return Duration.ofHours(amount);
      case 'd':
        return Duration.ofDays(amount);
      case 'w':
        return Duration.ofDays(7 * amount);
      default:
        throw new CommandLine.TypeConversionException(
            "not a duration: " + text + " (units s, m, h, d, w)");
    }
  }
}
