// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.testing.ZoneServer;

/** The SPF and DMARC fixtures of {@code dns/policies.zone}, asked of a real DNS server. */
class SpfDmarcOverDnsTest {
  static ZoneServer server;
  static DnsLookup dns;

  @BeforeAll
  static void serve() throws Exception {
    server =
        ZoneServer.start(
            "example", Files.readString(Path.of("src/test/resources/dns/policies.zone")));
    dns = DnsjavaLookup.server(server.hostPort());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void fiveProvidersWithQuestionMarkAllCostNineLookups() {
    SpfAnalysis.Report r = SpfAnalysis.analyze(dns, "five.example");
    assertThat(r.lookups()).isEqualTo(9);
    assertThat(r.ok()).isTrue();
    assertThat(r.stance()).startsWith("?all: senders not listed get neutral");
    assertThat(
            new SpfEvaluator(dns, Clock.systemUTC())
                .checkHost(SpfTest.ip("203.0.113.3"), "five.example", "")
                .result())
        .isEqualTo("pass");
  }

  @Test
  void limitsLoopsAndRedirectAsCounted() {
    assertThat(SpfAnalysis.analyze(dns, "eleven.example").lookups()).isEqualTo(11);
    assertThat(SpfAnalysis.analyze(dns, "eleven.example").ok()).isFalse();
    assertThat(SpfAnalysis.analyze(dns, "redirected.example").lookups()).isEqualTo(2);
    assertThat(
            new SpfEvaluator(dns, Clock.systemUTC())
                .checkHost(SpfTest.ip("192.0.2.4"), "redirected.example", "")
                .result())
        .isEqualTo("pass");
    assertThat(SpfAnalysis.analyze(dns, "loop-a.example").problems())
        .anyMatch(p -> p.startsWith("loop:"));
    SpfAnalysis.Report voids = SpfAnalysis.analyze(dns, "voids.example");
    assertThat(voids.voidLookups()).isEqualTo(3);
    assertThat(voids.ok()).isFalse();
  }

  @Test
  void dmarcFixtures() {
    DmarcCheck.Report good = DmarcCheck.check(dns, "good.example");
    assertThat(good.ok()).isTrue();
    assertThat(good.step()).startsWith("p=quarantine in test mode");
    assertThat(DmarcCheck.check(dns, "old.example").warnings())
        .anyMatch(w -> w.startsWith("pct= was removed by RFC 9989"));
    assertThat(DmarcCheck.check(dns, "bad.example").ok()).isFalse();
    DmarcCheck.Report sub = DmarcCheck.check(dns, "mail.parent.example");
    assertThat(sub.foundAt()).contains("_dmarc.parent.example");
    assertThat(sub.warnings()).anyMatch(w -> w.contains("sp=quarantine"));
  }
}
