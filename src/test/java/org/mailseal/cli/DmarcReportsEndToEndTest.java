// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dkim.DkimSigner;
import org.mailseal.dkim.DkimVerifier;
import org.mailseal.dkim.SignOptions;
import org.mailseal.dkim.VerificationResult;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.PemKeys;
import org.mailseal.keys.Selector;
import org.mailseal.reports.DnsSourceLookup;
import org.mailseal.reports.DomainFacts;
import org.mailseal.reports.FileReportStore;
import org.mailseal.reports.ReportAnalyzer;
import org.mailseal.reports.ReportHistory;
import org.mailseal.reports.SourceLookup;
import org.mailseal.testing.FakeDnsLookup;
import org.mailseal.testing.MutableClock;

/**
 * The reports drive the ramp, end to end: mailseal signs a domain's mail with its own key; the
 * receiver's reports describe that mail, a forger's and an authorised service's; {@code dmarc
 * import} reads them and {@code dmarc report} classifies each source and moves from "not yet" to
 * "ready for p=quarantine" once the aligned share has held for the configured days.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DmarcReportsEndToEndTest {
  static final Instant FIRST = Instant.parse("2026-11-01T00:00:00Z");
  static final String RELAY = "192.0.2.25";
  static final String SERVICE = "198.51.100.7";
  static final String FORGER = "203.0.113.66";

  @TempDir Path dir;

  /** What the relay's signature looks like to a receiver: d=, s= and the result it verified. */
  record Seen(String domain, String selector, String result) {}

  private Seen signAndVerify(FileKeyStore keys, MutableClock clock) throws Exception {
    DkimKey key = keys.list("example.com").get(0);
    SignOptions options =
        SignOptions.builder(
                "example.com",
                key.selector().value(),
                keys.privateKey("example.com", key.selector()))
            .build();
    byte[] signed =
        new DkimSigner(List.of(options), clock, 65536)
            .sign(
                ("From: Alice <alice@example.com>\r\nTo: bob@receiver.example\r\n"
                        + "Subject: monthly figures\r\nDate: Sun, 1 Nov 2026 09:00:00 +0000\r\n\r\n"
                        + "Numbers attached.\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
    // The receiver verifies with the published record, as DNS would serve it.
    String published = key.record().render();
    String selector = key.selector().value();
    DkimVerifier verifier =
        new DkimVerifier(
            (d, s) ->
                d.equals("example.com") && s.equals(selector) ? List.of(published) : List.of(),
            clock);
    List<VerificationResult> results = verifier.verify(new ByteArrayInputStream(signed));
    assertThat(results).singleElement().isInstanceOf(VerificationResult.Pass.class);
    VerificationResult.Pass pass = (VerificationResult.Pass) results.get(0);
    return new Seen(pass.domain(), pass.selector(), pass.result());
  }

  /** One receiver's report of one day. */
  static String reportXml(int day, Seen relay, boolean serviceListed) {
    long begin = FIRST.plus(Duration.ofDays(day)).getEpochSecond();
    return "<?xml version=\"1.0\"?>\n<feedback>\n<report_metadata><org_name>receiver.example</org_name>"
        + "<email>dmarc@receiver.example</email><report_id>day-"
        + day
        + "</report_id><date_range><begin>"
        + begin
        + "</begin><end>"
        + (begin + 86_399)
        + "</end></date_range></report_metadata>\n"
        + "<policy_published><domain>example.com</domain><adkim>r</adkim><aspf>r</aspf>"
        + "<p>none</p></policy_published>\n"
        // the relay's own mail
        + record(
            RELAY,
            200,
            "pass",
            "fail",
            "<dkim><domain>"
                + relay.domain()
                + "</domain><selector>"
                + relay.selector()
                + "</selector><result>"
                + relay.result()
                + "</result></dkim>"
                + "<spf><domain>example.com</domain><result>softfail</result></spf>")
        // the newsletter service: SPF passes once the owner lists its include
        + record(
            SERVICE,
            40,
            serviceListed ? "pass" : "fail",
            "fail",
            "<spf><domain>example.com</domain><result>"
                + (serviceListed ? "pass" : "softfail")
                + "</result></spf>")
        // a forger
        + record(
            FORGER,
            300,
            "fail",
            "fail",
            "<dkim><domain>example.com</domain><selector>"
                + relay.selector()
                + "</selector><result>fail</result></dkim>"
                + "<spf><domain>example.com</domain><result>fail</result></spf>")
        + "</feedback>\n";
  }

  private static String record(String ip, int count, String spfEval, String dkimEval, String auth) {
    return "<record><row><source_ip>"
        + ip
        + "</source_ip><count>"
        + count
        + "</count>"
        + "<policy_evaluated><disposition>none</disposition><dkim>"
        + (auth.contains("<result>pass</result></dkim>") ? "pass" : dkimEval)
        + "</dkim><spf>"
        + spfEval
        + "</spf></policy_evaluated></row>"
        + "<identifiers><header_from>example.com</header_from></identifiers>"
        + "<auth_results>"
        + auth
        + "</auth_results></record>\n";
  }

  private String report(MailsealConfig config, FileKeyStore keys, MutableClock clock)
      throws Exception {
    FakeDnsLookup dns =
        new FakeDnsLookup()
            .txt("example.com", "v=spf1 include:_spf.esp.example ~all")
            .txt("_spf.esp.example", "v=spf1 ip4:198.51.100.0/24 -all")
            .ptr("25.2.0.192.in-addr.arpa", "relay.example.com.");
    DomainFacts facts = DomainFacts.of("example.com", config, keys.list("example.com"));
    ReportHistory history =
        new ReportHistory(
            new FileReportStore(dir.resolve("reports")),
            new ReportAnalyzer(new DnsSourceLookup(dns, clock)),
            d -> facts,
            clock);
    StringWriter out = new StringWriter();
    assertThat(DmarcCommand.Report.run(history, "example.com", 30, "table", new PrintWriter(out)))
        .isZero();
    return out.toString();
  }

  private SignVerifyCommandTest.Run importDays(int from, int to, Seen relay) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of("dmarc", "import", "--reports-dir", dir.resolve("reports").toString()));
    for (int day = from; day < to; day++) {
      Path f = dir.resolve("in/receiver.example!example.com!day" + day + ".xml");
      Files.createDirectories(f.getParent());
      Files.writeString(f, reportXml(day, relay, day >= 5));
      args.add(f.toString());
    }
    return SignVerifyCommandTest.run(args.toArray(String[]::new));
  }

  @Test
  void reportsClassifyEverySourceAndTheVerdictTurnsReadyWhenTheShareHolds() throws Exception {
    MutableClock clock = new MutableClock(FIRST.plus(Duration.ofHours(8)));
    FileKeyStore keys = new FileKeyStore(dir.resolve("keys"), clock);
    keys.add(
        "example.com",
        new Selector("s20261101r"),
        PemKeys.readPrivateKey(Path.of("src/test/resources/keys/rsa2048-pkcs8.pem")),
        KeyState.ACTIVE);
    Path yaml = dir.resolve("mailseal.yaml");
    Files.writeString(
        yaml,
        "domains:\n  example.com:\n    dmarc:\n      rua: [\"mailto:dmarc@example.com\"]\n"
            + "      ramp:\n        aligned-percent: 99\n        quarantine-after: 14d\n");
    MailsealConfig config = ConfigLoader.load(yaml);
    Seen relay = signAndVerify(keys, clock);
    assertThat(relay).isEqualTo(new Seen("example.com", "s20261101r", "pass"));

    // Days 0-4 the newsletter service is not in SPF yet; from day 5 it is. Reports to day 17.
    SignVerifyCommandTest.Run imported = importDays(0, 18, relay);
    assertThat(imported.code()).isZero();
    assertThat(imported.out()).isEqualTo("18 reports added, 0 already known, 0 set aside\n");
    assertThat(importDays(17, 18, relay).out())
        .isEqualTo("0 reports added, 1 already known, 0 set aside\n");

    clock.set(FIRST.plus(Duration.ofDays(18)).plus(Duration.ofHours(6)));
    String before = report(config, keys, clock);
    assertThat(before)
        .contains(
            "192.0.2.25    relay.example.com",
            "this relay: DKIM selector s20261101r",
            "authorised service: SPF include:_spf.esp.example",
            "unaligned (likely forged): neither SPF nor DKIM passes for the domain")
        .contains(
            "verdict: not yet for p=quarantine; t=y: 13 of 14 clean days at p=none (at least 99 %"
                + " of non-forged mail aligned each day); last day below: 2026-11-05 (83.3 %)");
    // Sources by volume: the forger first.
    assertThat(before.lines().filter(l -> l.matches("^[0-9].*")).map(l -> l.split(" ")[0]))
        .containsExactly(FORGER, RELAY, SERVICE);

    assertThat(importDays(18, 19, relay).out()).startsWith("1 report added");
    clock.advance(Duration.ofDays(1));
    String after = report(config, keys, clock);
    assertThat(after)
        .contains(
            "verdict: ready for p=quarantine; t=y: at least 99 % of non-forged mail aligned on each"
                + " of the last 14 days at p=none (since 2026-11-06)");
  }

  @Test
  void dmarcCheckAddsTheVerdictWhenReportsExist() throws Exception {
    Seen relay = new Seen("example.com", "s20261101r", "pass");
    importDays(0, 2, relay);
    MutableClock clock = new MutableClock(FIRST.plus(Duration.ofDays(2)).plus(Duration.ofHours(6)));
    MailsealConfig config = minimalConfig();
    ReportHistory history =
        new ReportHistory(
            new FileReportStore(dir.resolve("reports")),
            new ReportAnalyzer(SourceLookup.NONE),
            d -> DomainFacts.of(d, config, List.of()),
            clock);
    StringWriter out = new StringWriter();
    DmarcCommand.Check.verdict(history, "example.com", new PrintWriter(out));
    assertThat(out.toString())
        .isEqualTo(
            // The service never passed in these two days: it counts as forged, out of the share.
            "reports: not yet for p=quarantine; t=y: 2 of 14 clean days at p=none (at least 99 %"
                + " of non-forged mail aligned each day)\n");
    StringWriter none = new StringWriter();
    DmarcCommand.Check.verdict(history, "other.example", new PrintWriter(none));
    assertThat(none.toString()).isEmpty();
  }

  private MailsealConfig minimalConfig() throws Exception {
    Path yaml = dir.resolve("minimal.yaml");
    Files.writeString(yaml, "domains:\n  example.com: {}\n");
    return ConfigLoader.load(yaml);
  }

  @Test
  void theCommandLineReportPrintsJson() throws Exception {
    Seen relay = new Seen("example.com", "s20261101r", "pass");
    importDays(0, 2, relay);
    SignVerifyCommandTest.Run r =
        SignVerifyCommandTest.run(
            "dmarc",
            "report",
            "--domain",
            "example.com",
            "--days",
            "3650",
            "--format",
            "json",
            "--no-dns",
            "--reports-dir",
            dir.resolve("reports").toString(),
            "--keys-dir",
            dir.resolve("keys").toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "\"domain\" : \"example.com\"",
            "\"reports\" : 2",
            "\"ip\" : \"203.0.113.66\"",
            "\"hint\" : \"forged\"");
  }

  @Test
  void aBadInputIsSetAsideWithOneLineAndTheRestImported() throws Exception {
    Path bad = dir.resolve("in/junk.xml");
    Files.createDirectories(bad.getParent());
    Files.writeString(bad, "<feedback><report_metadata>");
    importDays(0, 1, new Seen("example.com", "s1", "pass"));
    SignVerifyCommandTest.Run r =
        SignVerifyCommandTest.run(
            "dmarc",
            "import",
            "--reports-dir",
            dir.resolve("reports").toString(),
            dir.resolve("in").toString());
    assertThat(r.code()).isZero();
    assertThat(r.out().lines().toList())
        .hasSize(2)
        .first()
        .asString()
        .startsWith(bad + ": set aside: not well-formed XML");
    assertThat(r.out()).endsWith("0 reports added, 1 already known, 1 set aside\n");
  }
}
