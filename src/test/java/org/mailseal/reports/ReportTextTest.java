// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailseal.reports.AggregateReport.DkimResult;
import org.mailseal.reports.AggregateReport.PublishedPolicy;
import org.mailseal.reports.AggregateReport.Row;
import org.mailseal.reports.AggregateReport.SpfResult;
import org.mailseal.testing.FakeDnsLookup;

/** The table and the JSON, and the README's sample, which must be what the table prints. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReportTextTest {
  static final Instant FIRST = Instant.parse("2026-11-01T00:00:00Z");

  /** The README's story: 19 days, two receivers, four sources; the service listed from day 5. */
  static DomainReport sample() {
    List<AggregateReport> reports = new ArrayList<>();
    for (int day = 0; day < 19; day++) {
      Instant begin = FIRST.plus(Duration.ofDays(day));
      boolean listed = day >= 5;
      for (String org : List.of("google.com", "Yahoo")) {
        List<Row> rows =
            List.of(
                new Row(
                    "192.0.2.25",
                    200,
                    "none",
                    "pass",
                    "fail",
                    "example.com",
                    "",
                    List.of(new DkimResult("example.com", "s20261101r", "pass")),
                    List.of(new SpfResult("example.com", "mfrom", "softfail"))),
                new Row(
                    "198.51.100.7",
                    40,
                    "none",
                    "fail",
                    listed ? "pass" : "fail",
                    "example.com",
                    "",
                    List.of(),
                    List.of(new SpfResult("example.com", "mfrom", listed ? "pass" : "softfail"))),
                new Row(
                    "209.85.220.41",
                    1,
                    "none",
                    "fail",
                    "fail",
                    "example.com",
                    "",
                    List.of(
                        new DkimResult("lists.example.org", "l1", "pass"),
                        new DkimResult("example.com", "s20261101r", "fail")),
                    List.of(new SpfResult("lists.example.org", "mfrom", "pass"))),
                new Row(
                    "203.0.113.66",
                    300,
                    "none",
                    "fail",
                    "fail",
                    "example.com",
                    "",
                    List.of(),
                    List.of(new SpfResult("example.com", "mfrom", "fail"))));
        reports.add(
            new AggregateReport(
                org,
                "dmarc@" + org,
                org + day,
                begin,
                begin.plusSeconds(86_399),
                new PublishedPolicy("example.com", "r", "r", "none", "", false),
                rows));
      }
    }
    FakeDnsLookup dns =
        new FakeDnsLookup()
            .txt("example.com", "v=spf1 include:_spf.newsletter.example ~all")
            .txt("_spf.newsletter.example", "v=spf1 ip4:198.51.100.0/24 -all")
            .ptr("25.2.0.192.in-addr.arpa", "mail.example.com.")
            .ptr("7.100.51.198.in-addr.arpa", "o7.newsletter.example.")
            .ptr("41.220.85.209.in-addr.arpa", "mail-sor-f41.google.com.");
    Clock clock =
        Clock.fixed(FIRST.plus(Duration.ofDays(19)).plus(Duration.ofHours(6)), ZoneOffset.UTC);
    DomainFacts facts =
        new DomainFacts(
            "example.com",
            Alignment.RELAXED,
            Alignment.RELAXED,
            Set.of("s20261101r"),
            Set.of(),
            RampPolicy.DEFAULT);
    return new ReportAnalyzer(new DnsSourceLookup(dns, clock))
        .analyze(facts, reports, clock, Duration.ofDays(30));
  }

  @Test
  void theReadmeSampleIsWhatTheTablePrints() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String section = readme.substring(readme.indexOf("### Reading the reports"));
    String block =
        section.substring(
            section.indexOf("```\n") + 4, section.indexOf("```\n", section.indexOf("```\n") + 4));
    assertThat(block).isEqualTo(ReportText.table(sample()));
  }

  @Test
  void jsonCarriesEverySourceItsClassAndTheVerdict() throws Exception {
    JsonNode j = new ObjectMapper().readTree(ReportText.json(sample()));
    assertThat(j.get("messages").asLong()).isEqualTo(20558);
    assertThat(j.get("forged").asLong()).isEqualTo(11400);
    JsonNode service = j.get("sources").get(2);
    assertThat(service.get("ip").asText()).isEqualTo("198.51.100.7");
    assertThat(service.get("class").asText()).isEqualTo("authorised-service");
    assertThat(service.get("evidence").asText()).isEqualTo("SPF include:_spf.newsletter.example");
    assertThat(j.get("sources").get(3).get("hint").asText()).isEqualTo("forwarder");
    assertThat(j.get("verdict").get("ready").asBoolean()).isTrue();
    assertThat(j.get("verdict").get("next").asText()).isEqualTo("p=quarantine; t=y");
  }
}
