// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailseal.keys.KeyState;

/** The overview's lights, and the pictures' markup, from plain records. */
@Timeout(10)
class HealthTest {
  static final Instant NOW = Instant.parse("2026-12-05T02:00:00Z");

  static Dashboard.Key key(String selector, KeyState state) {
    return new Dashboard.Key(
        selector,
        "rsa",
        2048,
        state,
        NOW.minusSeconds(86400 * 3),
        state == KeyState.ACTIVE ? NOW.minusSeconds(86400 * 2) : null,
        null,
        null,
        state == KeyState.PENDING ? NOW.plusSeconds(86400) : null,
        null,
        selector + "._domainkey.example.com",
        "v=DKIM1; k=rsa; p=AAAA");
  }

  static Dashboard.Domain domain(
      List<Dashboard.Key> keys, List<Dashboard.Dns> records, Instant checked) {
    return new Dashboard.Domain(
        "example.com",
        keys,
        null,
        records,
        checked,
        new Dashboard.RecordFormats("", "", ""),
        Dashboard.Spf.unchecked(),
        new Dashboard.Dmarc("p=none", "", false, List.of(), List.of()));
  }

  static Dashboard.Dns record(String name, Dashboard.DnsState state) {
    return new Dashboard.Dns(name, "TXT", "v=DKIM1; k=rsa; p=AAAA", "", state, "");
  }

  @Test
  void noActiveKeyIsFailing() {
    Health.Concern c = Health.dkim(domain(List.of(key("s1", KeyState.PENDING)), List.of(), null));
    assertThat(c.light()).isEqualTo(Health.Light.FAILING);
    assertThat(c.summary()).startsWith("no ACTIVE key");
  }

  @Test
  void aPendingKeyNotYetInDnsNeedsAttentionAndIsOkOnceShownWithTheRootDot() {
    List<Dashboard.Key> keys = List.of(key("s1", KeyState.ACTIVE), key("s2", KeyState.PENDING));
    Health.Concern missing =
        Health.dkim(
            domain(
                keys,
                List.of(record("s2._domainkey.example.com.", Dashboard.DnsState.MISSING)),
                NOW));
    assertThat(missing.light()).isEqualTo(Health.Light.ATTENTION);
    assertThat(missing.summary()).startsWith("PENDING s2 not in DNS yet");
    Health.Concern shown =
        Health.dkim(
            domain(
                keys, List.of(record("s2._domainkey.example.com.", Dashboard.DnsState.OK)), NOW));
    assertThat(shown.light()).isEqualTo(Health.Light.OK);
    assertThat(shown.summary()).isEqualTo("PENDING s2 (rsa); ACTIVE s1 (rsa)");
  }

  @Test
  void dnsCountsEachStateAndSaysWhenUnchecked() {
    List<Dashboard.Dns> rs =
        List.of(
            record("a", Dashboard.DnsState.OK),
            record("b", Dashboard.DnsState.MISSING),
            record("c", Dashboard.DnsState.DIFFERENT));
    assertThat(Health.dns(domain(List.of(), rs, null)).light()).isEqualTo(Health.Light.UNKNOWN);
    Health.Concern c = Health.dns(domain(List.of(), rs, NOW));
    assertThat(c.light()).isEqualTo(Health.Light.FAILING);
    assertThat(c.summary())
        .isEqualTo("1 missing, 1 different of 3 records; checked 2026-12-05 02:00 UTC");
  }

  @Test
  void spfWarnsNearTheTenLookupLimit() {
    assertThat(Health.spf(new Dashboard.Spf(true, "v=spf1 -all", 3, List.of())).light())
        .isEqualTo(Health.Light.OK);
    Health.Concern near = Health.spf(new Dashboard.Spf(true, "v=spf1 -all", 9, List.of()));
    assertThat(near.light()).isEqualTo(Health.Light.ATTENTION);
    assertThat(near.summary()).isEqualTo("9 of 10 DNS lookups used: close to the limit");
    assertThat(Health.spf(new Dashboard.Spf(true, "", 0, List.of())).light())
        .isEqualTo(Health.Light.FAILING);
  }

  @Test
  void dmarcWithoutReportsSaysSo() {
    Health.Concern c = Health.dmarc(new Dashboard.Dmarc("p=none", "", false, List.of(), List.of()));
    assertThat(c.light()).isEqualTo(Health.Light.UNKNOWN);
    assertThat(c.summary()).isEqualTo("p=none; no reports read yet");
    Health.Concern ready =
        Health.dmarc(
            new Dashboard.Dmarc(
                "p=none",
                "ready for p=quarantine",
                true,
                List.of(new Dashboard.DmarcDay(LocalDate.of(2026, 12, 1), 100, 0)),
                List.of()));
    assertThat(ready.light()).isEqualTo(Health.Light.OK);
  }

  @Test
  void theDmarcChartDrawsAStackedBarPerDayWithItsNumbers() {
    Html h = new Html();
    DmarcChart.render(
        h,
        "example.com",
        List.of(
            new Dashboard.DmarcDay(LocalDate.of(2026, 12, 1), 90, 10),
            new Dashboard.DmarcDay(LocalDate.of(2026, 12, 2), 50, 0)),
        "c");
    String svg = h.toString();
    assertThat(svg.split("<g class=\"day\"", -1)).hasSize(3);
    assertThat(svg).contains("<title>2026-12-01: 90 aligned, 10 unaligned</title>");
    assertThat(svg.split("class=\"aligned\"", -1)).hasSize(3);
    // A day without unaligned mail draws no unaligned bar.
    assertThat(svg.split("class=\"unaligned\"", -1)).hasSize(2);
  }

  @Test
  void theTimelineDrawsOneBarPerKeyAndItsScheduledFuture() {
    Html h = new Html();
    Dashboard.Domain d =
        domain(List.of(key("s1", KeyState.ACTIVE), key("s2", KeyState.PENDING)), List.of(), null);
    KeyTimeline.render(h, d, NOW, "t");
    String svg = h.toString();
    assertThat(svg.split("<g class=\"key\"", -1)).hasSize(3);
    assertThat(svg).contains("data-selector=\"s1\" data-state=\"ACTIVE\"");
    assertThat(svg).contains(">s2 \u00b7 PENDING</text>");
    assertThat(svg).contains("<title>earliest activation 2026-12-06 02:00 UTC</title>");
    assertThat(svg).doesNotContain("style=");
  }
}
