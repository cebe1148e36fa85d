// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.MutableClock;
import org.mailseal.testing.ScriptedSmtpPeer;
import org.slf4j.LoggerFactory;

/**
 * An upstream that goes away for two minutes (on a clock the test moves) and comes back: the queue
 * is not tried message by message during the outage, the probe schedule alone opens connections,
 * and everything waiting leaves as soon as the probe finds the upstream back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamRecoveryTest {
  static final int QUEUED = 60;

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  ScriptedSmtpPeer peer;
  Spool spool;

  @BeforeEach
  void start() throws Exception {
    peer = new ScriptedSmtpPeer(new ServerSocket(), 0);
    spool =
        Spool.open(
            dir.resolve("spool"), clock, SpoolOptions.defaults(new SecureRandom()).withoutFsync());
    logs.start();
    ((Logger) LoggerFactory.getLogger(UpstreamHealth.class)).addAppender(logs);
  }

  @AfterEach
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(UpstreamHealth.class)).detachAppender(logs);
    peer.close();
    spool.close();
  }

  SmarthostTransport transport(int port) {
    return transport(port, 4);
  }

  SmarthostTransport transport(int port, int pool) {
    return new SmarthostTransport(
        new SmarthostTransport.Settings(
            "isp",
            "127.0.0.1",
            port,
            SmarthostTransport.Security.NONE,
            new SmarthostCredentials.None(),
            CheckedTls.systemTrust(),
            pool,
            Duration.ofSeconds(5),
            "relay.example.com"),
        clock);
  }

  void queue(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      spool.store(
          EnvelopeDraft.submitted(
              "alice@example.com", List.of("bob" + i + "@example.org"), "alice@example.com"),
          new ByteArrayInputStream(
              ("From: alice@example.com\r\nSubject: " + i + "\r\n\r\nbody\r\n")
                  .getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void afterATwoMinuteOutageEverythingLeavesWithin30sAndProbesNotTheQueueOpenConnections()
      throws Exception {
    int port = peer.port();
    peer.close();
    RelayMetrics metrics = new RelayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    try (SmarthostTransport t = transport(port)) {
      Upstreams upstreams = new Upstreams(List.of(t), clock, metrics);
      DeliveryWorker worker =
          new DeliveryWorker(
              spool,
              t,
              RetrySchedule.defaults(new Random(1)).withJitter(0),
              clock,
              new Bouncer(new RecordingSubmission(), "relay.example.com", clock));
      upstreams.whenRecovered(worker::release);
      queue(QUEUED);

      // The outage: the first message finds the upstream gone; the rest are held unconnected.
      assertThat(worker.runOnce(1000)).isEqualTo(QUEUED);
      assertThat(t.connectionAttempts()).isEqualTo(1);
      assertThat(t.health().isDown()).isTrue();
      assertThat(t.health().waiting()).isEqualTo(QUEUED);
      assertThat(upstreams.failing())
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .startsWith("upstream isp: cannot reach the smarthost 127.0.0.1:" + port)
          .contains("connection refused")
          .contains(QUEUED + " messages waiting");
      Instant outageEnd = clock.instant().plus(Duration.ofMinutes(2));
      while (clock.instant().isBefore(outageEnd)) {
        clock.advance(Duration.ofSeconds(1));
        upstreams.tick();
        worker.runOnce(1000); // retries that fall due are held too
      }
      // One per 15 s at most (reach checks and full probes), plus the first failure.
      int duringOutage = t.connectionAttempts();
      assertThat(duringOutage).isBetween(2, 1 + 120 / 15 + 1);
      assertThat(peer.received).isEmpty();
      assertThat(spool.depth()).isEqualTo(QUEUED);
      assertThat(scrape(metrics)).contains("mailseal_upstream_up{upstream=\"isp\"} 0.0");
      assertThat(scrape(metrics))
          .contains("mailseal_upstream_last_failure{class=\"connect\",upstream=\"isp\"} 1.0");

      // The upstream is back.
      ServerSocket again = new ServerSocket();
      again.setReuseAddress(true);
      peer = new ScriptedSmtpPeer(again, port);
      Instant back = clock.instant();
      while (spool.depth() > 0 && clock.instant().isBefore(back.plusSeconds(30))) {
        clock.advance(Duration.ofSeconds(1));
        upstreams.tick();
        worker.runOnce(1000);
      }
      assertThat(spool.depth()).isZero();
      assertThat(Duration.between(back, clock.instant()))
          .isLessThanOrEqualTo(Duration.ofSeconds(30));
      assertThat(peer.received).hasSize(QUEUED);
      assertThat(t.health().isDown()).isFalse();
      assertThat(upstreams.failing()).isEmpty();
      assertThat(scrape(metrics)).contains("mailseal_upstream_up{upstream=\"isp\"} 1.0");
      // Reported once when it went down, once when it came back: not once per message.
      assertThat(logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)))
          .hasSize(1);
    }
  }

  @Test
  void wiredAsTheRelayDoesHeldMailLeavesOnTheDeliveryThreadsWhenTheProbeAnswers() throws Exception {
    int port = peer.port();
    peer.close();
    java.util.concurrent.ScheduledExecutorService scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    // One connection: the scripted peer serves one connection at a time.
    try (SmarthostTransport t = transport(port, 1)) {
      Upstreams upstreams = new Upstreams(List.of(t), clock, RelayMetrics.none());
      DeliveryWorker worker =
          new DeliveryWorker(
              spool,
              t,
              RetrySchedule.defaults(new Random(1)).withJitter(0),
              clock,
              new Bouncer(new RecordingSubmission(), "relay.example.com", clock));
      DeliveryThreads threads = new DeliveryThreads(worker, 4, () -> {});
      // The relay's wiring: release the held ids and wake every delivery thread.
      upstreams.whenRecovered(
          ids -> {
            worker.release(ids);
            threads.wakeAll();
          });
      spool.whenStored(threads::wake);
      threads.start();
      upstreams.start(scheduler, Duration.ofMillis(50));
      try {
        queue(20);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.health().waiting() == 20);
        ServerSocket again = new ServerSocket();
        again.setReuseAddress(true);
        peer = new ScriptedSmtpPeer(again, port);
        clock.advance(Duration.ofSeconds(15)); // the first probe is due
        await().atMost(Duration.ofSeconds(10)).until(() -> spool.depth() == 0);
        assertThat(peer.received).hasSize(20);
        assertThat(t.health().isDown()).isFalse();
      } finally {
        threads.stop(Duration.ofSeconds(5));
      }
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void probesBackOffFrom15sTo5MinutesWhenTheUpstreamAnswersButRefuses() {
    UpstreamHealth h = new UpstreamHealth("isp", clock);
    UpstreamFailure refused = new UpstreamFailure(UpstreamFailure.Kind.AUTH, "refused");
    h.failed(refused);
    List<Long> probes = new ArrayList<>();
    Instant start = clock.instant();
    for (int s = 0; s < 20 * 60; s++) {
      clock.advance(Duration.ofSeconds(1));
      UpstreamHealth.Action a = h.due(clock.instant());
      assertThat(a).isNotEqualTo(UpstreamHealth.Action.REACH); // it answers: no TCP checks
      if (a == UpstreamHealth.Action.PROBE) {
        probes.add(Duration.between(start, clock.instant()).toSeconds());
        h.probeFailed(refused);
      }
    }
    // 15 s, +30 s, +1, +2, +4 min, then every 5 min.
    assertThat(probes).containsExactly(15L, 45L, 105L, 225L, 465L, 765L, 1065L);
    assertThat(h.isDown()).isTrue();
  }

  @Test
  void anUnreachableUpstreamIsCheckedEvery15sBetweenBackedOffProbes() {
    UpstreamHealth h = new UpstreamHealth("isp", clock);
    UpstreamFailure refused = new UpstreamFailure(UpstreamFailure.Kind.CONNECT, "refused");
    h.failed(refused);
    clock.advance(Duration.ofMinutes(10));
    for (int i = 0; i < 6; i++) { // run the full probe up to its 5-minute step
      while (h.due(clock.instant()) != UpstreamHealth.Action.PROBE) {
        clock.advance(Duration.ofSeconds(1));
      }
      h.probeFailed(refused);
    }
    Instant after = clock.instant();
    clock.advance(Duration.ofSeconds(14));
    assertThat(h.due(clock.instant())).isEqualTo(UpstreamHealth.Action.NOTHING);
    clock.advance(Duration.ofSeconds(1));
    assertThat(h.due(clock.instant())).isEqualTo(UpstreamHealth.Action.REACH);
    h.unreachable();
    assertThat(h.due(clock.instant())).isEqualTo(UpstreamHealth.Action.NOTHING);
    clock.set(after.plus(Duration.ofMinutes(5)));
    assertThat(h.due(clock.instant())).isEqualTo(UpstreamHealth.Action.PROBE);
  }

  static String scrape(RelayMetrics m) {
    m.refresh();
    return ((PrometheusMeterRegistry) m.registry()).scrape();
  }
}
