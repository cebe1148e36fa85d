// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.reports.Reports.dkim;
import static org.mailseal.reports.Reports.report;
import static org.mailseal.reports.Reports.row;
import static org.mailseal.reports.Reports.spf;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Who each source is, and the volumes, from reports with known contents. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReportAnalyzerTest {
  static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  static final Clock NOW = Clock.fixed(Instant.parse("2026-11-22T06:00:00Z"), ZoneOffset.UTC);

  static final DomainFacts FACTS =
      new DomainFacts(
          "example.com",
          Alignment.RELAXED,
          Alignment.RELAXED,
          Set.of("s20261122r", "s20261122e"),
          Set.of("192.0.2.25"),
          RampPolicy.DEFAULT);

  /** Fixed answers, as DNS would give them. */
  static final SourceLookup LOOKUP =
      new SourceLookup() {
        final Map<String, String> names =
            Map.of(
                "192.0.2.25",
                "relay.example.com",
                "198.51.100.7",
                "o1.esp.example",
                "203.0.113.90",
                "o1.ptr1234.sendgrid.net.");

        @Override
        public Optional<String> reverseName(String ip) {
          return Optional.ofNullable(names.get(ip));
        }

        @Override
        public Optional<String> spfInclude(String domain, String ip) {
          return ip.equals("198.51.100.7") ? Optional.of("_spf.esp.example") : Optional.empty();
        }
      };

  private final ReportAnalyzer analyzer = new ReportAnalyzer(LOOKUP);

  private DomainReport analyze(DomainFacts facts, AggregateReport... reports) {
    return analyzer.analyze(facts, List.of(reports), NOW, Duration.ofDays(30));
  }

  private static SourceReport source(DomainReport r, String ip) {
    return r.sources().stream().filter(s -> s.ip().equals(ip)).findFirst().orElseThrow();
  }

  @Test
  void ownSelectorPassingAlignedIsThisRelayAndNamesTheSelector() {
    DomainReport r =
        analyze(
            FACTS,
            report(
                "a.example",
                "1",
                DAY,
                "none",
                row(
                    "203.0.113.5",
                    4,
                    List.of(dkim("example.com", "s20261122e", "pass")),
                    List.of(spf("example.com", "fail")))));
    assertThat(source(r, "203.0.113.5").classification())
        .isEqualTo(new Classification.ThisRelay("DKIM selector s20261122e"));
  }

  @Test
  void theRelaysEgressAddressIsThisRelayEvenUnsigned() {
    DomainReport r =
        analyze(
            FACTS,
            report(
                "a.example",
                "1",
                DAY,
                "none",
                row("192.0.2.25", 2, List.of(), List.of(spf("example.com", "pass")))));
    SourceReport s = source(r, "192.0.2.25");
    assertThat(s.classification())
        .isEqualTo(new Classification.ThisRelay("egress address of the relay"));
    assertThat(s.reverseName()).isEqualTo("relay.example.com");
  }

  @Test
  void anotherSelectorOfTheDomainIsAnAuthorisedServiceNamedBySelector() {
    DomainReport r =
        analyze(
            FACTS,
            report(
                "a.example",
                "1",
                DAY,
                "none",
                row(
                    "203.0.113.80",
                    11,
                    List.of(dkim("example.com", "newsletter1", "pass")),
                    List.of(spf("esp.example", "pass")))));
    assertThat(source(r, "203.0.113.80").classification())
        .isEqualTo(
            new Classification.AuthorisedService("DKIM selector newsletter1 (not mailseal's)"));
  }

  @Test
  void aPassingSignatureWithoutAReportedSelectorSaysSo() {
    DomainReport r =
        analyze(
            FACTS,
            report(
                "a.example",
                "1",
                DAY,
                "none",
                row("198.51.100.4", 2, List.of(dkim("example.com", "", "pass")), List.of())));
    assertThat(source(r, "198.51.100.4").classification())
        .isEqualTo(
            new Classification.AuthorisedService(
                "DKIM pass for d=example.com (selector not reported)"));
  }

  @Test
  void spfPassThroughAnIncludeIsAnAuthorisedServiceNamedByInclude() {
    DomainReport r =
        analyze(
            FACTS,
            report(
                "a.example",
                "1",
                DAY,
                "none",
                row("198.51.100.7", 5, List.of(), List.of(spf("example.com", "pass")))));
    SourceReport s = source(r, "198.51.100.7");
    assertThat(s.classification())
        .isEqualTo(new Classification.AuthorisedService("SPF include:_spf.esp.example"));
    assertThat(s.spfAligned()).isEqualTo(5);
    assertThat(s.aligned()).isEqualTo(5);
  }

  @Test
  void spfFailingButDkimPassingForAnotherDomainLooksLikeAForwarder() {
    DomainReport r =
        analyze(
            FACTS,
            report(
                "a.example",
                "1",
                DAY,
                "none",
                row(
                    "209.85.220.41",
                    3,
                    List.of(
                        dkim("lists.example.org", "l1", "pass"),
                        dkim("example.com", "s20261122r", "fail")),
                    List.of(spf("lists.example.org", "pass")))));
    Classification c = source(r, "209.85.220.41").classification();
    assertThat(c)
        .isEqualTo(
            new Classification.Unaligned(
                Classification.Hint.FORWARDER, "SPF fails, DKIM passes for d=lists.example.org"));
    assertThat(c.forged()).isFalse();
  }

  @Test
  void nothingPassingFromAKnownProvidersNetworkIsNamedAndStaysInTheShare() {
    DomainReport r =
        analyze(
            FACTS,
            report(
                "a.example",
                "1",
                DAY,
                "none",
                row(
                    "203.0.113.90",
                    4,
                    List.of(dkim("example.com", "s1", "fail")),
                    List.of(spf("example.com", "softfail")))));
    Classification c = source(r, "203.0.113.90").classification();
    assertThat(c.kind()).isEqualTo("unaligned");
    assertThat(c.evidence())
        .isEqualTo(
            "neither SPF nor DKIM passes for the domain, from SendGrid (o1.ptr1234.sendgrid.net.)");
    assertThat(c.advice()).startsWith("likely a service you use");
    assertThat(c.forged()).as("it holds the ramp back until the owner acts").isFalse();
  }

  @Test
  void nothingPassingIsLikelyForgedAndLeavesTheShare() {
    DomainReport r =
        analyze(
            FACTS,
            report(
                "a.example",
                "1",
                DAY,
                "none",
                row(
                    "192.0.2.25",
                    90,
                    List.of(dkim("example.com", "s20261122r", "pass")),
                    List.of()),
                row("203.0.113.66", 500, List.of(), List.of(spf("example.com", "fail")))));
    assertThat(source(r, "203.0.113.66").classification())
        .isEqualTo(
            new Classification.Unaligned(
                Classification.Hint.FORGED, "neither SPF nor DKIM passes for the domain"));
    assertThat(r.forged()).isEqualTo(500);
    assertThat(r.alignedShare()).isEqualTo(1.0);
    assertThat(r.sources())
        .extracting(SourceReport::ip)
        .containsExactly("203.0.113.66", "192.0.2.25");
    assertThat(r.unaligned()).extracting(SourceReport::ip).containsExactly("203.0.113.66");
  }

  @Test
  void strictDkimAlignmentRefusesASubdomainSignature() {
    AggregateReport rep =
        report(
            "a.example",
            "1",
            DAY,
            "none",
            row("203.0.113.5", 4, List.of(dkim("mail.example.com", "k", "pass")), List.of()));
    AggregateReport withoutReceiverVerdict =
        new AggregateReport(
            rep.orgName(),
            rep.email(),
            rep.reportId(),
            rep.begin(),
            rep.end(),
            rep.policy(),
            List.of(
                new AggregateReport.Row(
                    "203.0.113.5",
                    4,
                    "none",
                    "",
                    "",
                    "example.com",
                    "",
                    rep.rows().get(0).dkim(),
                    List.of())));
    DomainFacts strict =
        new DomainFacts(
            "example.com",
            Alignment.STRICT,
            Alignment.RELAXED,
            Set.of(),
            Set.of(),
            RampPolicy.DEFAULT);
    assertThat(source(analyze(FACTS, withoutReceiverVerdict), "203.0.113.5").aligned())
        .isEqualTo(4);
    assertThat(source(analyze(strict, withoutReceiverVerdict), "203.0.113.5").aligned()).isZero();
  }

  @Test
  void aSourceInSeveralRecordsAndReportsIsSummedWithEveryReporter() {
    DomainReport r =
        analyze(
            FACTS,
            report(
                "b.example",
                "1",
                DAY,
                "none",
                row(
                    "192.0.2.25",
                    3,
                    List.of(dkim("example.com", "s20261122r", "pass")),
                    List.of())),
            report(
                "a.example",
                "2",
                DAY,
                "none",
                row("192.0.2.25", 5, List.of(dkim("example.com", "s20261122r", "pass")), List.of()),
                row("192.0.2.25", 1, List.of(), List.of(spf("example.com", "softfail")))));
    SourceReport s = source(r, "192.0.2.25");
    assertThat(s.messages()).isEqualTo(9);
    assertThat(s.aligned()).isEqualTo(8);
    assertThat(s.orgs()).containsExactly("a.example", "b.example");
    assertThat(s.dkim()).containsExactly("d=example.com s=s20261122r pass");
    assertThat(s.spf()).containsExactly("example.com softfail");
  }

  @Test
  void theSameReportTwiceCountsOnce() {
    AggregateReport once =
        report("a.example", "1", DAY, "none", row("192.0.2.25", 3, List.of(), List.of()));
    assertThat(analyze(FACTS, once, once).messages()).isEqualTo(3);
  }

  @Test
  void reportsOfOtherDomainsAndOutsideThePeriodAreLeftOut() {
    AggregateReport old =
        report(
            "a.example",
            "old",
            DAY.minus(Duration.ofDays(40)),
            "none",
            row("192.0.2.25", 3, List.of(), List.of()));
    DomainReport r = analyzer.analyze(FACTS, List.of(old), NOW, Duration.ofDays(7));
    assertThat(r.messages()).isZero();
    assertThat(r.reports()).isZero();
  }
}
