// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.reports.Reports.dkim;
import static org.mailseal.reports.Reports.row;
import static org.mailseal.reports.Reports.spf;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ramp verdict, day by day. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RampTest {
  static final Instant FIRST = Instant.parse("2026-11-01T00:00:00Z");

  static DomainFacts facts(RampPolicy ramp) {
    return new DomainFacts(
        "example.com", Alignment.RELAXED, Alignment.RELAXED, Set.of("s1"), Set.of(), ramp);
  }

  /** One report per day from FIRST: 100 aligned messages, {@code failing} not, 50 forged. */
  static List<AggregateReport> days(int n, String p, boolean testing, int failing) {
    List<AggregateReport> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instant begin = FIRST.plus(Duration.ofDays(i));
      out.add(day(begin, "d" + i + p, p, testing, failing));
    }
    return out;
  }

  static AggregateReport day(Instant begin, String id, String p, boolean testing, int failing) {
    List<AggregateReport.Row> rows = new ArrayList<>();
    rows.add(row("192.0.2.25", 100, List.of(dkim("example.com", "s1", "pass")), List.of()));
    // A forwarder's mail: unaligned but not forged, so it counts against the share.
    if (failing > 0) {
      rows.add(
          row(
              "209.85.220.41",
              failing,
              List.of(dkim("lists.example.org", "l", "pass")),
              List.of(spf("lists.example.org", "pass"))));
    }
    rows.add(row("203.0.113.66", 50, List.of(), List.of(spf("example.com", "fail"))));
    return new AggregateReport(
        "receiver.example",
        "dmarc@receiver.example",
        id,
        begin,
        begin.plusSeconds(86_399),
        new AggregateReport.PublishedPolicy("example.com", "r", "r", p, "", testing),
        rows);
  }

  static RampVerdict verdict(DomainFacts facts, List<AggregateReport> reports, Instant now) {
    return new ReportAnalyzer(SourceLookup.NONE)
        .analyze(facts, reports, Clock.fixed(now, ZoneOffset.UTC), Duration.ofDays(30))
        .verdict();
  }

  static Instant morningAfter(int days) {
    return FIRST.plus(Duration.ofDays(days)).plus(Duration.ofHours(6));
  }

  @Test
  void withoutReportsTheVerdictIsNotYet() {
    RampVerdict v = verdict(facts(RampPolicy.DEFAULT), List.of(), morningAfter(0));
    assertThat(v.ready()).isFalse();
    assertThat(v.current()).isEmpty();
    assertThat(v.summary()).startsWith("not yet: no reports for example.com");
  }

  @Test
  void thirteenCleanDaysAtNoneAreNotYetAndFourteenAreReadyForQuarantine() {
    DomainFacts f = facts(RampPolicy.DEFAULT);
    RampVerdict thirteen = verdict(f, days(13, "none", false, 0), morningAfter(13));
    assertThat(thirteen.ready()).isFalse();
    assertThat(thirteen.cleanDays()).isEqualTo(13);
    assertThat(thirteen.summary())
        .isEqualTo(
            "not yet for p=quarantine; t=y: 13 of 14 clean days at p=none (at least 99 % of"
                + " non-forged mail aligned each day)");
    RampVerdict fourteen = verdict(f, days(14, "none", false, 0), morningAfter(14));
    assertThat(fourteen.ready()).isTrue();
    assertThat(fourteen.next()).contains(RampStep.QUARANTINE_TESTING);
    assertThat(fourteen.summary())
        .isEqualTo(
            "ready for p=quarantine; t=y: at least 99 % of non-forged mail aligned on each of the"
                + " last 14 days at p=none (since 2026-11-01)");
  }

  @Test
  void aDayBelowTheShareRestartsTheCount() {
    List<AggregateReport> reports = days(20, "none", false, 0);
    // Day 10 (2026-11-11): 2 of 102 non-forged messages fail: 98 %.
    reports.set(10, day(FIRST.plus(Duration.ofDays(10)), "bad", "none", false, 2));
    RampVerdict v = verdict(facts(RampPolicy.DEFAULT), reports, morningAfter(20));
    assertThat(v.ready()).isFalse();
    assertThat(v.cleanDays()).isEqualTo(9);
    assertThat(v.lastDirtyDay()).contains(LocalDate.parse("2026-11-11"));
    assertThat(v.summary()).endsWith("; last day below: 2026-11-11 (98.0 %)");
  }

  @Test
  void aForwardersShareBelowTheThresholdStillCounts() {
    // 1 failing message in 101: 99.0099 % >= 99 %, clean.
    RampVerdict v =
        verdict(facts(RampPolicy.DEFAULT), days(14, "none", false, 1), morningAfter(14));
    assertThat(v.ready()).isTrue();
  }

  @Test
  void theThresholdIsPerDomain() {
    RampPolicy lenient = new RampPolicy(0.95, 7, 14, 30, 3);
    RampVerdict v = verdict(facts(lenient), days(7, "none", false, 3), morningAfter(7));
    assertThat(v.ready()).isTrue();
    assertThat(v.neededDays()).isEqualTo(7);
  }

  @Test
  void oldReportsGiveNoAdvice() {
    RampVerdict v =
        verdict(facts(RampPolicy.DEFAULT), days(14, "none", false, 0), morningAfter(20));
    assertThat(v.ready()).isFalse();
    assertThat(v.summary()).isEqualTo("not yet for p=quarantine; t=y: no reports since 2026-11-14");
  }

  @Test
  void testModeIsDroppedAfterFourteenCleanDaysOnIt() {
    List<AggregateReport> reports = new ArrayList<>(days(20, "none", false, 0));
    for (int i = 20; i < 34; i++) {
      reports.add(day(FIRST.plus(Duration.ofDays(i)), "q" + i, "quarantine", true, 0));
    }
    RampVerdict thirteen =
        verdict(facts(RampPolicy.DEFAULT), reports.subList(0, 33), morningAfter(33));
    assertThat(thirteen.current()).contains(RampStep.QUARANTINE_TESTING);
    assertThat(thirteen.cleanDays()).isEqualTo(13);
    assertThat(thirteen.ready()).isFalse();
    RampVerdict v = verdict(facts(RampPolicy.DEFAULT), reports, morningAfter(34));
    assertThat(v.ready()).isTrue();
    assertThat(v.next()).contains(RampStep.QUARANTINE);
  }

  @Test
  void rejectComesThirtyCleanDaysAfterQuarantine() {
    List<AggregateReport> reports = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      reports.add(day(FIRST.plus(Duration.ofDays(i)), "q" + i, "quarantine", false, 0));
    }
    assertThat(verdict(facts(RampPolicy.DEFAULT), reports.subList(0, 29), morningAfter(29)).ready())
        .isFalse();
    RampVerdict v = verdict(facts(RampPolicy.DEFAULT), reports, morningAfter(30));
    assertThat(v.ready()).isTrue();
    assertThat(v.next()).contains(RampStep.REJECT);
  }

  @Test
  void rejectIsTheEnd() {
    RampVerdict v =
        verdict(facts(RampPolicy.DEFAULT), days(3, "reject", false, 0), morningAfter(3));
    assertThat(v.next()).isEqualTo(Optional.empty());
    assertThat(v.ready()).isFalse();
    assertThat(v.summary()).startsWith("at p=reject, the end of the ramp");
  }
}
