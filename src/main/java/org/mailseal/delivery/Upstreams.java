// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.spool.QueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smarthosts of the relay, watched: runs each down upstream's probes on its schedule ({@link
 * UpstreamHealth}), hands the messages held for an upstream to the recovery listener when it is
 * back, exports {@code mailseal_upstream_up} and the last failure's class, and tells {@code /ready}
 * which upstreams fail. A credential file that changes (a new refresh token from {@code smarthost
 * authorize}, a corrected password file) makes the next tick probe at once.
 *
 * <p>{@link #tick()} does one round; {@link #start} runs it every second on the caller's scheduler.
 * Probes run on that thread, one upstream after another.
 */
public final class Upstreams {
  private static final Logger log = LoggerFactory.getLogger(Upstreams.class);

  private final List<SmarthostTransport> upstreams;
  private final Clock clock;
  private final Map<String, Optional<FileTime>> credentialVersions = new HashMap<>();

  /**
   * @param upstreams every smarthost, each with a distinct name
   * @param clock decides when probes are due
   * @param metrics where the gauges and the failure counter go
   */
  public Upstreams(List<SmarthostTransport> upstreams, Clock clock, RelayMetrics metrics) {
    this.upstreams = List.copyOf(upstreams);
    this.clock = Objects.requireNonNull(clock, "clock");
    for (SmarthostTransport t : this.upstreams) {
      credentialVersions.put(t.name(), credentialVersion(t));
      t.health().whenFailed(f -> metrics.upstreamFailure(t.name(), f.kind().label()));
      t.health().watch();
    }
    metrics.upstreams(this::statuses);
  }

  /** Called with the ids of held messages when their upstream is back: try them now. */
  public void whenRecovered(Consumer<List<QueueId>> listener) {
    for (SmarthostTransport t : upstreams) {
      t.health().whenRecovered(listener);
    }
  }

  /** Runs {@link #tick()} every {@code every} on {@code scheduler}; cancel the returned future. */
  public ScheduledFuture<?> start(ScheduledExecutorService scheduler, Duration every) {
    return scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            tick();
          } catch (RuntimeException e) {
            log.error("upstream probes failed: {}", e.toString(), e);
          }
        },
        every.toMillis(),
        every.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Probes every upstream that is down and due, or whose credentials changed. */
  public void tick() {
    for (SmarthostTransport t : upstreams) {
      UpstreamHealth h = t.health();
      Optional<FileTime> version = credentialVersion(t);
      if (!version.equals(credentialVersions.put(t.name(), version)) && h.isDown()) {
        log.info("upstream credentials changed, probing now upstream={}", t.name());
        h.probeSoon();
      }
      Instant now = clock.instant();
      switch (h.due(now)) {
        case PROBE -> probe(t);
        case REACH -> {
          if (t.reachable()) {
            probe(t);
          } else {
            h.unreachable();
          }
        }
        case NOTHING -> {}
      }
    }
  }

  private static void probe(SmarthostTransport t) {
    Optional<UpstreamFailure> f = t.probe();
    if (f.isEmpty()) {
      t.health().succeeded();
    } else {
      t.health().probeFailed(f.get());
    }
  }

  private static Optional<FileTime> credentialVersion(SmarthostTransport t) {
    if (t.settings().credentials() instanceof SmarthostCredentials.OAuth2 o) {
      return o.tokens().store().version();
    }
    return Optional.empty();
  }

  /** The upstreams by name. */
  public List<SmarthostTransport> all() {
    return upstreams;
  }

  /**
   * One line per failing upstream for {@code /ready}: {@code upstream NAME: advice (down since T, N
   * messages waiting)}. Empty when all are up.
   */
  public List<String> failing() {
    List<String> out = new ArrayList<>();
    for (SmarthostTransport t : upstreams) {
      UpstreamHealth h = t.health();
      Optional<UpstreamFailure> f = h.failure();
      if (f.isPresent()) {
        out.add(
            "upstream "
                + t.name()
                + ": "
                + f.get().advice()
                + " (down since "
                + h.downSince().map(Instant::toString).orElse("?")
                + ", "
                + h.waiting()
                + " messages waiting)");
      }
    }
    return out;
  }

  private List<RelayMetrics.UpstreamStatus> statuses() {
    List<RelayMetrics.UpstreamStatus> out = new ArrayList<>();
    for (SmarthostTransport t : upstreams) {
      UpstreamHealth h = t.health();
      out.add(
          new RelayMetrics.UpstreamStatus(
              t.name(), !h.isDown(), h.lastFailure().map(f -> f.kind().label())));
    }
    return out;
  }
}
