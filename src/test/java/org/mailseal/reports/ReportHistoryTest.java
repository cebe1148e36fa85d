// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.reports.Reports.dkim;
import static org.mailseal.reports.Reports.report;
import static org.mailseal.reports.Reports.row;
import static org.mailseal.reports.Reports.spf;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.MutableClock;

/** The stored history asked the questions the commands and metrics ask. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReportHistoryTest {
  @TempDir Path dir;

  @Test
  void volumesAreAlignedAndUnalignedMessagesPerDomainInTheWindow() throws Exception {
    FileReportStore store = new FileReportStore(dir);
    Instant day = Instant.parse("2026-11-20T00:00:00Z");
    store.add(
        report(
            "a.example",
            "1",
            day,
            "none",
            row("192.0.2.25", 90, List.of(dkim("example.com", "s1", "pass")), List.of()),
            row("203.0.113.66", 10, List.of(), List.of(spf("example.com", "fail")))));
    store.add(
        report(
            "a.example",
            "old",
            day.minus(Duration.ofDays(20)),
            "none",
            row("192.0.2.25", 1000, List.of(), List.of())));
    MutableClock clock = new MutableClock(day.plus(Duration.ofDays(2)));
    DomainFacts facts =
        new DomainFacts(
            "example.com",
            Alignment.RELAXED,
            Alignment.RELAXED,
            Set.of("s1"),
            Set.of(),
            RampPolicy.DEFAULT);
    ReportHistory history =
        new ReportHistory(store, new ReportAnalyzer(SourceLookup.NONE), d -> facts, clock);

    assertThat(history.volumes(Duration.ofDays(7)))
        .containsExactly(new ReportHistory.Volume("example.com", 90, 10));
    clock.advance(Duration.ofDays(10));
    assertThat(history.volumes(Duration.ofDays(7)))
        .containsExactly(new ReportHistory.Volume("example.com", 0, 0));
  }
}
