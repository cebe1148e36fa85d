// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.time.LocalDate;
import java.util.Set;

/**
 * Makes dated selectors so that a new key never reuses a name resolvers may have cached. The
 * template's placeholders: {@code {yyyyMMdd}}, {@code {yyyyMM}}, {@code {yyyy}}, {@code {MM}},
 * {@code {dd}} for the creation date and {@code {a}} for the algorithm letter ({@code r} or {@code
 * e}). The default {@code s{yyyyMMdd}{a}} gives {@code s20261122r}. A second key of the same domain
 * and algorithm on the same day gets a number: {@code s20261122r2}, {@code s20261122r3}.
 *
 * @param template the pattern; it must render a valid DNS label
 */
public record SelectorTemplate(String template) {
  /** The default template. */
  public static final SelectorTemplate DEFAULT = new SelectorTemplate("s{yyyyMMdd}{a}");

  public SelectorTemplate {
    String probe = expand(template, LocalDate.of(2026, 11, 22), KeyAlgorithm.RSA);
    if (probe.contains("{") || probe.contains("}")) {
      throw new IllegalArgumentException(
          "selector template " + template + " has an unknown placeholder");
    }
    try {
      new Selector(probe + "99");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "selector template " + template + " does not make a DNS label: " + e.getMessage(), e);
    }
  }

  /** The selector for a key made on {@code date}, avoiding every name in {@code taken}. */
  public Selector render(LocalDate date, KeyAlgorithm algorithm, Set<String> taken) {
    String base = expand(template, date, algorithm);
    String candidate = base;
    for (int n = 2; taken.contains(candidate); n++) {
      candidate = base + n;
    }
    return new Selector(candidate);
  }

  private static String expand(String template, LocalDate date, KeyAlgorithm algorithm) {
    String yyyy = String.format("%04d", date.getYear());
    String mm = String.format("%02d", date.getMonthValue());
    String dd = String.format("%02d", date.getDayOfMonth());
    return template
        .replace("{yyyyMMdd}", yyyy + mm + dd)
        .replace("{yyyyMM}", yyyy + mm)
        .replace("{yyyy}", yyyy)
        .replace("{MM}", mm)
        .replace("{dd}", dd)
        .replace("{a}", algorithm.letter());
  }
}
