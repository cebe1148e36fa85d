// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.reports.Reports.dkim;
import static org.mailseal.reports.Reports.report;
import static org.mailseal.reports.Reports.row;
import static org.mailseal.reports.Reports.spf;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What every {@link ReportStore} does; each store's test extends this. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ReportStoreContract {
  static final Instant DAY = Instant.parse("2026-11-02T00:00:00Z");

  abstract ReportStore store() throws Exception;

  static AggregateReport sample(String id, Instant begin) {
    return report(
        "receiver.example",
        id,
        begin,
        "none",
        row(
            "192.0.2.25",
            10,
            List.of(dkim("example.com", "s1", "pass"), dkim("x.example", "", "fail")),
            List.of(spf("example.com", "pass"))),
        row("2001:db8:0:0:0:0:0:1", 2, List.of(), List.of(spf("example.com", "fail"))));
  }

  @Test
  void aStoredReportReadsBackEqual() throws Exception {
    ReportStore s = store();
    AggregateReport r = sample("r1", DAY);
    assertThat(s.add(r)).isTrue();
    assertThat(
            s.reports("example.com", DAY.minus(Duration.ofDays(1)), DAY.plus(Duration.ofDays(2))))
        .containsExactly(r);
  }

  @Test
  void theSameReportAddedTwiceIsStoredOnce() throws Exception {
    ReportStore s = store();
    assertThat(s.add(sample("r1", DAY))).isTrue();
    assertThat(s.add(sample("r1", DAY))).isFalse();
    assertThat(s.reports("example.com", DAY, DAY.plus(Duration.ofDays(1)))).hasSize(1);
  }

  @Test
  void reportsAreThoseOverlappingThePeriodInOrder() throws Exception {
    ReportStore s = store();
    // Months apart, so a file store's month directories are crossed.
    Instant oct = Instant.parse("2026-10-31T12:00:00Z");
    s.add(sample("late", DAY.plus(Duration.ofDays(3))));
    s.add(sample("early", oct));
    s.add(sample("mid", DAY));
    s.add(sample("gone", Instant.parse("2026-09-01T00:00:00Z")));
    assertThat(
            s.reports(
                "example.com", Instant.parse("2026-11-01T00:00:00Z"), DAY.plus(Duration.ofDays(3))))
        .extracting(AggregateReport::reportId)
        .containsExactly("early", "mid");
    assertThat(s.reports("other.example", oct, DAY)).isEmpty();
  }

  @Test
  void domainsWithReportsAreListed() throws Exception {
    ReportStore s = store();
    assertThat(s.domains()).isEmpty();
    s.add(sample("r1", DAY));
    assertThat(s.domains()).containsExactly("example.com");
  }
}
