// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the reports say about one domain over a period: every source by volume, the aligned share,
 * and the ramp verdict.
 *
 * @param domain the domain
 * @param from start of the period
 * @param to end of the period
 * @param reports reports in the period
 * @param messages messages they count
 * @param aligned of them, those that passed DMARC
 * @param forged of them, those failing from sources classified as likely forged
 * @param sources every source, most messages first
 * @param verdict the ramp verdict (which looks back as far as its thresholds need)
 */
public record DomainReport(
    String domain,
    Instant from,
    Instant to,
    int reports,
    long messages,
    long aligned,
    long forged,
    List<SourceReport> sources,
    RampVerdict verdict) {
  public DomainReport {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    sources = List.copyOf(sources);
    Objects.requireNonNull(verdict, "verdict");
  }

  /** Aligned share of the non-forged mail, 0 to 1; 1 when there is none. */
  public double alignedShare() {
    long nonForged = messages - forged;
    return nonForged <= 0 ? 1.0 : (double) aligned / nonForged;
  }

  /** The sources classified unaligned, most messages first. */
  public List<SourceReport> unaligned() {
    return sources.stream()
        .filter(s -> s.classification() instanceof Classification.Unaligned)
        .toList();
  }
}
