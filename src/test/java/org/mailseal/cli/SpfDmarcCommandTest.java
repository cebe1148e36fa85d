// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.mailseal.testing.FakeDnsLookup;

class SpfDmarcCommandTest {

  @Test
  void spfCheckPrintsCostStanceAndVerdictChain() throws Exception {
    FakeDnsLookup dns =
        new FakeDnsLookup()
            .txt("example.com", "v=spf1 include:_spf.google.com ?all")
            .txt("_spf.google.com", "v=spf1 ip4:192.0.2.0/24 ~all");
    StringWriter out = new StringWriter();
    int code =
        SpfCommand.Check.run(
            dns, "example.com", InetAddress.getByName("192.0.2.7"), null, new PrintWriter(out));
    assertThat(code).isZero();
    assertThat(out.toString())
        .isEqualTo(
            "example.com: v=spf1 include:_spf.google.com ?all\n"
                + "DNS lookups: 1 of 10 (RFC 7208 §4.6.4)\n"
                + "void lookups: 0 of 2\n"
                + "?all: senders not listed get neutral — receivers treat them as unauthenticated;"
                + " tighten to ~all, then -all\n"
                + "check_host(192.0.2.7, example.com) = pass\n"
                + "  example.com: v=spf1 include:_spf.google.com ?all\n"
                + "    _spf.google.com: v=spf1 ip4:192.0.2.0/24 ~all\n"
                + "      matched ip4:192.0.2.0/24 -> pass\n"
                + "    matched include:_spf.google.com -> pass\n");
  }

  @Test
  void spfCheckFailsWithoutARecord() {
    StringWriter out = new StringWriter();
    assertThat(
            SpfCommand.Check.run(
                new FakeDnsLookup(), "example.com", null, null, new PrintWriter(out)))
        .isEqualTo(1);
    assertThat(out.toString())
        .contains("(no SPF record)")
        .contains("error: example.com publishes no SPF record");
  }

  @Test
  void badIpIsOneLineAndExitTwo() {
    SignVerifyCommandTest.Run r = run("spf", "check", "example.com", "--ip", "not-an-ip");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("mailseal: --ip: not an IP address: not-an-ip\n");
  }

  @Test
  void dmarcCheckPrintsWhereStepAndNext() {
    FakeDnsLookup dns =
        new FakeDnsLookup().txt("_dmarc.example.com", "v=DMARC1; p=none; rua=mailto:d@example.com");
    StringWriter out = new StringWriter();
    assertThat(DmarcCommand.Check.run(dns, "example.com", new PrintWriter(out))).isZero();
    assertThat(out.toString())
        .isEqualTo(
            "_dmarc.example.com: v=DMARC1; p=none; rua=mailto:d@example.com\n"
                + "organizational domain: example.com\n"
                + "step: p=none (monitoring): receivers deliver as usual and send you reports\n"
                + "next: p=quarantine with t=y, once aggregate reports show all your mail passing"
                + " aligned DKIM or SPF\n");
    StringWriter none = new StringWriter();
    assertThat(DmarcCommand.Check.run(new FakeDnsLookup(), "example.com", new PrintWriter(none)))
        .isEqualTo(1);
  }
}
