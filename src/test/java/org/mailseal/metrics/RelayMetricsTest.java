// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Meter names, tags and gauge values on a simple registry. */
class RelayMetricsTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final RelayMetrics metrics = new RelayMetrics(registry);

  @Test
  void countsAcceptedAndSignedPerDomainAndAlgorithm() {
    metrics.accepted("example.com");
    metrics.accepted("example.com");
    metrics.accepted("example.org");
    metrics.signed("example.com", "rsa");
    metrics.signed("example.com", "ed25519");

    assertThat(
            registry
                .get("mailseal.messages.accepted")
                .tag("domain", "example.com")
                .counter()
                .count())
        .isEqualTo(2.0);
    assertThat(
            registry
                .get("mailseal.messages.accepted")
                .tag("domain", "example.org")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            registry
                .get("mailseal.messages.signed")
                .tags("domain", "example.com", "algorithm", "ed25519")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void timingsLandInTheirHistograms() {
    metrics.recordAcceptLatency(Duration.ofMillis(40));
    metrics.recordSigning(Duration.ofMillis(3));

    assertThat(
            registry
                .get("mailseal.accept.latency")
                .timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isEqualTo(40.0);
    assertThat(registry.get("mailseal.signing.time").timer().count()).isEqualTo(1);
  }

  @Test
  void queueGaugesReadTheSuppliersWhenAsked() {
    AtomicInteger depth = new AtomicInteger(3);
    metrics.queue(depth::get, () -> Duration.ofSeconds(90));

    depth.set(7);

    assertThat(registry.get("mailseal.queue.depth").gauge().value()).isEqualTo(7.0);
    assertThat(registry.get("mailseal.queue.oldest.age.seconds").gauge().value()).isEqualTo(90.0);
  }

  @Test
  void dnsRecordsAreOneOrZeroAndFollowTheSupplier() {
    AtomicBoolean published = new AtomicBoolean(false);
    metrics.dnsRecords(
        () ->
            List.of(
                new RelayMetrics.DnsStatus("s1._domainkey.example.com", "dkim", published.get()),
                new RelayMetrics.DnsStatus("example.com", "spf", true)));

    assertThat(dnsOk("s1._domainkey.example.com")).isEqualTo(0.0);
    assertThat(dnsOk("example.com")).isEqualTo(1.0);

    published.set(true);
    metrics.refresh();

    assertThat(dnsOk("s1._domainkey.example.com")).isEqualTo(1.0);
  }

  @Test
  void aKeyNoLongerSuppliedDisappears() {
    AtomicBoolean revoked = new AtomicBoolean(false);
    metrics.keys(
        () ->
            revoked.get()
                ? List.of()
                : List.of(
                    new RelayMetrics.KeyInfo(
                        "example.com", "s1", "ed25519", "RETIRED", Duration.ofDays(-2))));

    assertThat(registry.get("mailseal.key.rotation.days").tag("selector", "s1").gauge().value())
        .isEqualTo(-2.0);

    revoked.set(true);
    metrics.refresh();

    assertThat(registry.find("mailseal.key.state").tag("selector", "s1").gauge()).isNull();
  }

  @Test
  void aRefreshUpdatesRowsInPlaceSoAConcurrentScrapeNeverMissesThem() {
    List<Meter.Id> removed = new CopyOnWriteArrayList<>();
    registry.config().onMeterRemoved(m -> removed.add(m.getId()));
    AtomicInteger days = new AtomicInteger(9);
    metrics.keys(
        () ->
            List.of(
                new RelayMetrics.KeyInfo(
                    "example.com", "s1", "rsa", "ACTIVE", Duration.ofDays(days.get()))));
    Gauge state = registry.get("mailseal.key.state").tag("selector", "s1").gauge();

    days.set(8);
    metrics.refresh();

    assertThat(removed).isEmpty();
    assertThat(registry.get("mailseal.key.state").tag("selector", "s1").gauge()).isSameAs(state);
    assertThat(registry.get("mailseal.key.rotation.days").tag("selector", "s1").gauge().value())
        .isEqualTo(8.0);
  }

  @Test
  void aFailingSupplierKeepsTheLastRows() {
    AtomicBoolean broken = new AtomicBoolean(false);
    metrics.keys(
        () -> {
          if (broken.get()) {
            throw new IllegalStateException("key store unreadable");
          }
          return List.of(
              new RelayMetrics.KeyInfo("example.com", "s1", "rsa", "ACTIVE", Duration.ofDays(9)));
        });

    broken.set(true);
    metrics.refresh();

    assertThat(registry.get("mailseal.key.state").tag("state", "active").gauge().value())
        .isEqualTo(1.0);
  }

  @Test
  void dmarcReportVolumesAreGaugesPerDomainAndAlignment() {
    AtomicInteger unaligned = new AtomicInteger(40);
    metrics.dmarcVolumes(
        () -> List.of(new RelayMetrics.DmarcVolume("example.com", 960, unaligned.get())));

    assertThat(registry.get("mailseal.dmarc.messages").tag("alignment", "aligned").gauge().value())
        .isEqualTo(960.0);
    unaligned.set(3);
    metrics.refresh();
    assertThat(
            registry
                .get("mailseal.dmarc.messages")
                .tags("domain", "example.com", "alignment", "unaligned")
                .gauge()
                .value())
        .isEqualTo(3.0);
  }

  @Test
  void rejectionReasonsAreCapped() {
    for (int i = 0; i < RelayMetrics.MAX_REJECT_REASONS + 10; i++) {
      metrics.rejected("550 5.7." + i);
    }

    assertThat(registry.find("mailseal.messages.rejected").counters())
        .hasSize(RelayMetrics.MAX_REJECT_REASONS);
  }

  @Test
  void noneCountsWithoutExporting() {
    RelayMetrics none = RelayMetrics.none();

    none.accepted("example.com");
    none.authFailure();

    assertThat(none.registry().get("mailseal.auth.failures").counter().count()).isEqualTo(1.0);
  }

  double dnsOk(String name) {
    return registry.get("mailseal.dns.record.ok").tag("name", name).gauge().value();
  }

  @Test
  void dnsLateAlertIsSetPerKeyAndClearedWhenFixed() {
    metrics.dnsLate("example.com", List.of("s20261122e", "s20261122r"));
    metrics.dnsLate("example.org", List.of("s20261122e"));

    assertThat(
            registry
                .get("mailseal.rotation.dns.late")
                .tags("domain", "example.com", "selector", "s20261122r")
                .gauge()
                .value())
        .isEqualTo(1.0);
    assertThat(registry.find("mailseal.rotation.dns.late").gauges()).hasSize(3);

    metrics.dnsLate("example.com", List.of());
    assertThat(registry.find("mailseal.rotation.dns.late").tag("domain", "example.com").gauges())
        .isEmpty();
    assertThat(registry.find("mailseal.rotation.dns.late").gauges()).hasSize(1);
  }
}
