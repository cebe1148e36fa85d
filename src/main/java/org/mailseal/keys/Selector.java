// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A DKIM selector: one DNS label (RFC 1035: letters, digits, hyphens, at most 63 characters, no
 * hyphen at either end), kept in lower case.
 *
 * @param value the label, lower-cased
 */
public record Selector(String value) {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  public Selector {
    value = value.strip().toLowerCase(Locale.ROOT);
    if (!LABEL.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "selector "
              + (value.isEmpty() ? "(empty)" : value)
              + " is not a DNS label (1-63 letters, digits or hyphens, no hyphen at the ends)");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
