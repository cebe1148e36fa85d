// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.mailseal.testing.FakeDnsLookup;

class SpfTest {

  /** Five providers, some with nested includes: 9 lookups in all, and ?all at the end. */
  static FakeDnsLookup fiveProviders() {
    return new FakeDnsLookup()
        .txt(
            "example.com",
            "v=spf1 include:mail.one.test include:two.test include:three.test "
                + "include:four.test include:five.test ?all")
        .txt("mail.one.test", "v=spf1 ip4:198.51.100.0/24 include:more.one.test ~all")
        .txt("more.one.test", "v=spf1 ip4:198.51.101.0/24 ~all")
        .txt("two.test", "v=spf1 a mx ~all")
        .a("two.test", "203.0.113.2")
        .mx("two.test", 10, "mx.two.test")
        .a("mx.two.test", "203.0.113.3")
        .txt("three.test", "v=spf1 ip6:2001:db8::/32 -all")
        .txt("four.test", "v=spf1 ip4:192.0.2.4 -all")
        .txt("five.test", "v=spf1 include:deep.five.test -all")
        .txt("deep.five.test", "v=spf1 ip4:192.0.2.5 -all");
  }

  @Test
  void fiveProvidersCostNineLookupsAndQuestionMarkAllIsNeutral() {
    SpfAnalysis.Report r = SpfAnalysis.analyze(fiveProviders(), "example.com");
    assertThat(r.lookups()).isEqualTo(9);
    assertThat(r.voidLookups()).isZero();
    assertThat(r.problems()).isEmpty();
    assertThat(r.stance())
        .isEqualTo(
            "?all: senders not listed get neutral — receivers treat them as unauthenticated; tighten to ~all, then -all");
    SpfEvaluator e = new SpfEvaluator(fiveProviders(), Clock.systemUTC());
    assertThat(e.checkHost(ip("192.0.2.5"), "example.com", "").result()).isEqualTo("pass");
    assertThat(e.checkHost(ip("203.0.113.3"), "example.com", "").result()).isEqualTo("pass");
    SpfEvaluator.Result stranger = e.checkHost(ip("192.0.2.99"), "example.com", "");
    assertThat(stranger.result()).isEqualTo("neutral");
    assertThat(stranger.chain()).last().asString().contains("matched ?all -> neutral");
  }

  @Test
  void elevenLookupsIsOverTheLimit() {
    FakeDnsLookup dns = new FakeDnsLookup();
    StringBuilder top = new StringBuilder("v=spf1");
    for (int i = 1; i <= 11; i++) {
      top.append(" include:p").append(i).append(".test");
      dns.txt("p" + i + ".test", "v=spf1 ip4:192.0.2." + i + " -all");
    }
    dns.txt("example.com", top + " -all");
    SpfAnalysis.Report r = SpfAnalysis.analyze(dns, "example.com");
    assertThat(r.lookups()).isEqualTo(11);
    assertThat(r.problems()).anyMatch(p -> p.startsWith("DNS lookups: 11 of 10: over the limit"));
    SpfEvaluator.Result res =
        new SpfEvaluator(dns, Clock.systemUTC()).checkHost(ip("192.0.2.11"), "example.com", "");
    assertThat(res.result()).isEqualTo("permerror");
  }

  @Test
  void redirectCountsAndDecides() {
    FakeDnsLookup dns =
        new FakeDnsLookup()
            .txt("example.com", "v=spf1 ip4:192.0.2.1 redirect=_spf.example.net")
            .txt("_spf.example.net", "v=spf1 include:a.example.net -all")
            .txt("a.example.net", "v=spf1 ip4:198.51.100.7 -all");
    SpfAnalysis.Report r = SpfAnalysis.analyze(dns, "example.com");
    assertThat(r.lookups()).isEqualTo(2);
    assertThat(r.stance()).contains("redirect=_spf.example.net decides");
    SpfEvaluator e = new SpfEvaluator(dns, Clock.systemUTC());
    assertThat(e.checkHost(ip("198.51.100.7"), "example.com", "").result()).isEqualTo("pass");
    assertThat(e.checkHost(ip("203.0.113.9"), "example.com", "").result()).isEqualTo("fail");
  }

  @Test
  void includeLoopIsFound() {
    FakeDnsLookup dns =
        new FakeDnsLookup()
            .txt("a.test", "v=spf1 include:b.test -all")
            .txt("b.test", "v=spf1 include:a.test -all");
    SpfAnalysis.Report r = SpfAnalysis.analyze(dns, "a.test");
    assertThat(r.problems()).anyMatch(p -> p.startsWith("loop: a.test -> b.test -> a.test"));
    assertThat(
            new SpfEvaluator(dns, Clock.systemUTC())
                .checkHost(ip("192.0.2.1"), "a.test", "")
                .result())
        .isEqualTo("permerror");
  }

  @Test
  void threeVoidLookupsAreOverTheLimit() {
    FakeDnsLookup dns =
        new FakeDnsLookup()
            .txt("example.com", "v=spf1 a:gone1.test a:gone2.test mx:gone3.test -all");
    SpfAnalysis.Report r = SpfAnalysis.analyze(dns, "example.com");
    assertThat(r.voidLookups()).isEqualTo(3);
    assertThat(r.problems()).anyMatch(p -> p.startsWith("void lookups: 3 of 2"));
    assertThat(
            new SpfEvaluator(dns, Clock.systemUTC())
                .checkHost(ip("192.0.2.1"), "example.com", "")
                .result())
        .isEqualTo("permerror");
  }

  @Test
  void syntaxErrorsNameTheTerm() {
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 ip4:300.1.1.1 -all"))
        .hasMessage("syntax error at \"ip4:300.1.1.1\": not an IPv4 address");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 include -all"))
        .hasMessageContaining("include needs a domain");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 foo:bar -all"))
        .hasMessage("syntax error at \"foo:bar\": unknown mechanism");
    assertThatThrownBy(() -> SpfRecord.parse("v=spf1 a:%{z}.test"))
        .hasMessage("syntax error at \"a:%{z}.test\": bad macro");
  }

  @Test
  void twoRecordsAndTemporaryFailures() {
    FakeDnsLookup two =
        new FakeDnsLookup().txt("example.com", "v=spf1 -all").txt("example.com", "v=spf1 ~all");
    assertThat(
            new SpfEvaluator(two, Clock.systemUTC())
                .checkHost(ip("192.0.2.1"), "example.com", "")
                .result())
        .isEqualTo("permerror");
    FakeDnsLookup broken = new FakeDnsLookup().servfail("example.com");
    assertThat(
            new SpfEvaluator(broken, Clock.systemUTC())
                .checkHost(ip("192.0.2.1"), "example.com", "")
                .result())
        .isEqualTo("temperror");
    assertThat(
            new SpfEvaluator(new FakeDnsLookup(), Clock.systemUTC())
                .checkHost(ip("192.0.2.1"), "example.com", "")
                .result())
        .isEqualTo("none");
  }

  @Test
  void macrosExpandAsRfc7208Section7Says() {
    FakeDnsLookup dns =
        new FakeDnsLookup()
            .txt("example.com", "v=spf1 exists:%{ir}.%{l1r-}.lp._spf.%{d} -all")
            .a("1.2.0.192.strong.lp._spf.example.com", "127.0.0.2");
    SpfEvaluator e = new SpfEvaluator(dns, Clock.systemUTC());
    assertThat(e.checkHost(ip("192.0.2.1"), "example.com", "strong-bad@example.com").result())
        .isEqualTo("pass");
    assertThat(e.checkHost(ip("192.0.2.2"), "example.com", "strong-bad@example.com").result())
        .isEqualTo("fail");
  }

  @Test
  void ipv6NetworksMatch() {
    FakeDnsLookup dns = new FakeDnsLookup().txt("example.com", "v=spf1 ip6:2001:db8::/32 -all");
    SpfEvaluator e = new SpfEvaluator(dns, Clock.systemUTC());
    assertThat(e.checkHost(ip("2001:db8:1::5"), "example.com", "").result()).isEqualTo("pass");
    assertThat(e.checkHost(ip("2001:db9::5"), "example.com", "").result()).isEqualTo("fail");
  }

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
