// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The stored reports and what they mean, for the commands, the web page and the metrics: it loads
 * what a question needs from the {@link ReportStore} and asks the {@link ReportAnalyzer}.
 */
public final class ReportHistory {
  /** How far back the ramp verdict looks, beyond the longest step: room for the step's start. */
  static final int RAMP_MARGIN_DAYS = 30;

  /** Counts need no DNS: the lookups only name things. So a scrape never waits on DNS. */
  private static final ReportAnalyzer COUNTING = new ReportAnalyzer(SourceLookup.NONE);

  private final ReportStore store;
  private final ReportAnalyzer analyzer;
  private final Function<String, DomainFacts> facts;
  private final Clock clock;

  /**
   * @param facts the facts of a domain, asked per question (keys change)
   */
  public ReportHistory(
      ReportStore store,
      ReportAnalyzer analyzer,
      Function<String, DomainFacts> facts,
      Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.analyzer = Objects.requireNonNull(analyzer, "analyzer");
    this.facts = Objects.requireNonNull(facts, "facts");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The report of {@code domain} over the {@code period} before now, with its ramp verdict. */
  public DomainReport report(String domain, Duration period) throws ReportStoreException {
    DomainFacts f = facts.apply(domain);
    Duration lookBack =
        Duration.ofDays(f.ramp().longestDays() + RAMP_MARGIN_DAYS).compareTo(period) > 0
            ? Duration.ofDays(f.ramp().longestDays() + RAMP_MARGIN_DAYS)
            : period;
    Instant now = clock.instant();
    List<AggregateReport> reports = store.reports(f.domain(), now.minus(lookBack), now);
    return analyzer.analyze(f, reports, clock, period);
  }

  /**
   * Aligned and unaligned messages per domain with reports, over the {@code window} before now:
   * what {@code /metrics} exports so an owner can graph the ramp.
   */
  public List<Volume> volumes(Duration window) throws ReportStoreException {
    List<Volume> out = new ArrayList<>();
    Instant now = clock.instant();
    for (String domain : store.domains()) {
      DomainFacts f = facts.apply(domain);
      DomainReport r =
          COUNTING.analyze(f, store.reports(domain, now.minus(window), now), clock, window);
      out.add(new Volume(domain, r.aligned(), r.messages() - r.aligned()));
    }
    return out;
  }

  /**
   * Messages one domain's reports counted.
   *
   * @param aligned those that passed DMARC
   * @param unaligned those that did not (forged ones included)
   */
  public record Volume(String domain, long aligned, long unaligned) {
    public Volume {
      Objects.requireNonNull(domain, "domain");
    }
  }
}
