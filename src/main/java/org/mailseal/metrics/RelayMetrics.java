// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The relay's meters, named for Prometheus ({@code mailseal_messages_accepted_total}, …). Callers
 * say what happened; this class knows the names and tags. {@link #none()} is a working instance on
 * a private registry, for commands and tests that do not export metrics.
 */
public final class RelayMetrics {
  private final MeterRegistry registry;
  private final Timer acceptLatency;
  private final Timer signing;
  private final Counter authFailures;

  public RelayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.acceptLatency =
        Timer.builder("mailseal.accept.latency")
            .description(
                "End of DATA to the 250 reply: checks, signing and the durable spool write")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    this.signing =
        Timer.builder("mailseal.signing.time")
            .description("DKIM signing of one message, all its signatures")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    this.authFailures =
        Counter.builder("mailseal.auth.failures")
            .description("Failed AUTH attempts")
            .register(registry);
  }

  /** Metrics kept on a private registry that nobody reads. */
  public static RelayMetrics none() {
    return new RelayMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** A message accepted (250) for {@code domain}, signed by {@code algorithms}. */
  public void accepted(
      String domain, Iterable<String> algorithms, long signNanos, long totalNanos) {
    registry.counter("mailseal.messages.accepted", "domain", domain).increment();
    for (String a : algorithms) {
      registry.counter("mailseal.messages.signed", "domain", domain, "algorithm", a).increment();
    }
    signing.record(signNanos, TimeUnit.NANOSECONDS);
    acceptLatency.record(totalNanos, TimeUnit.NANOSECONDS);
  }

  /** A command or message refused, by reply ({@code "550 5.7.1"}). */
  public void rejected(String reason) {
    registry.counter("mailseal.messages.rejected", "reason", reason).increment();
  }

  public void authFailure() {
    authFailures.increment();
  }

  public void delivered() {
    registry.counter("mailseal.recipients.delivered").increment();
  }

  public void deferred() {
    registry.counter("mailseal.recipients.deferred").increment();
  }

  public void bounced() {
    registry.counter("mailseal.recipients.bounced").increment();
  }

  /** Queue depth and the age of the oldest queued message, read when scraped. */
  public void queue(Supplier<Number> depth, Supplier<Duration> oldestAge) {
    Gauge.builder("mailseal.queue.depth", depth, s -> s.get().doubleValue())
        .description("Messages in the spool")
        .register(registry);
    Gauge.builder("mailseal.queue.oldest.age.seconds", oldestAge, s -> s.get().toSeconds())
        .description("Age of the oldest message in the spool")
        .register(registry);
  }

  /**
   * A key's state (0 pending, 1 active, 2 retired, 3 revoked) and the days until its domain's next
   * scheduled rotation.
   */
  public void key(
      String domain, String selector, Supplier<Number> state, Supplier<Number> daysToRotation) {
    Gauge.builder("mailseal.key.state", state, s -> s.get().doubleValue())
        .tags("domain", domain, "selector", selector)
        .register(registry);
    Gauge.builder("mailseal.key.rotation.days", daysToRotation, s -> s.get().doubleValue())
        .tags("domain", domain)
        .register(registry);
  }

  /** Whether DNS shows a record as it should (1) or not (0), by name and type. */
  public void dnsRecord(String name, String type, Supplier<Boolean> ok) {
    Gauge.builder("mailseal.dns.record.ok", ok, s -> s.get() ? 1 : 0)
        .tags("name", name, "type", type)
        .register(registry);
  }

  /** A PENDING key DNS still does not show past its deadline (the rotation alert). */
  public void dnsLate(String domain, String selector) {
    registry
        .counter("mailseal.rotation.dns.late", "domain", domain, "selector", selector)
        .increment();
  }
}
