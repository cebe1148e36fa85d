// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.mailseal.spool.QueueId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of one upstream. It goes down when a connection cannot be opened (refused, TLS,
 * authentication) and comes back up only when a probe (or a send) succeeds. While it is down,
 * messages for it are held without a connection and remembered; when it is up again they are handed
 * to the recovery listener to be tried at once.
 *
 * <p>The probe schedule: a full probe (connect, TLS, AUTH) 15 s after the failure, then after 30 s,
 * 1, 2, 4 and every 5 minutes. When the upstream could not be reached at all, a TCP connect every
 * 15 s in between tells when it listens again, and a full probe follows at once: after an outage of
 * any length, mail leaves within about 15 s of the upstream's return. An authentication or TLS
 * failure needs the operator, so only the backing-off full probe runs (and a changed credential
 * file, see {@link Upstreams}).
 *
 * <p>A change of state or of the reason is logged once (ERROR for authentication and TLS, which
 * need the operator; WARN for an unreachable upstream), never once per message.
 */
public final class UpstreamHealth {
  private static final Logger log = LoggerFactory.getLogger(UpstreamHealth.class);

  /** Waits before each full probe; the last one repeats. */
  static final List<Duration> PROBE_BACKOFF =
      List.of(
          Duration.ofSeconds(15),
          Duration.ofSeconds(30),
          Duration.ofMinutes(1),
          Duration.ofMinutes(2),
          Duration.ofMinutes(4),
          Duration.ofMinutes(5));

  /** Between full probes, how often an unreachable upstream is checked with a TCP connect. */
  static final Duration REACH_CHECK = Duration.ofSeconds(15);

  /** What the probe runner should do now. */
  enum Action {
    NOTHING,
    /** Connect, TLS and AUTH, then QUIT. */
    PROBE,
    /** Only see whether the port accepts a TCP connection. */
    REACH
  }

  private final String name;
  private final Clock clock;
  private final Set<QueueId> waiting = new LinkedHashSet<>();
  private volatile boolean down;
  private volatile boolean watched;
  private UpstreamFailure current;
  private Optional<UpstreamFailure> last = Optional.empty();
  private Instant since;
  private int step;
  private Instant nextProbe = Instant.MAX;
  private Instant nextReach = Instant.MAX;
  private volatile Consumer<List<QueueId>> recovered = ids -> {};
  private volatile Consumer<UpstreamFailure> failures = f -> {};

  public UpstreamHealth(String name, Clock clock) {
    this.name = Objects.requireNonNull(name, "name");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public String name() {
    return name;
  }

  /** True while delivery through this upstream waits for a probe. */
  public boolean isDown() {
    return down;
  }

  /** The reason it is down; empty while up. */
  public synchronized Optional<UpstreamFailure> failure() {
    return down ? Optional.of(current) : Optional.empty();
  }

  /** The last failure of any class (also 4xx and 5xx replies), for {@code /metrics}. */
  public synchronized Optional<UpstreamFailure> lastFailure() {
    return last;
  }

  /** Since when it is down; empty while up. */
  public synchronized Optional<Instant> downSince() {
    return down ? Optional.of(since) : Optional.empty();
  }

  /** How many messages wait for this upstream to come back. */
  public synchronized int waiting() {
    return waiting.size();
  }

  /**
   * Whether a probe runner ({@link Upstreams}) watches this upstream. Unwatched, nothing would ever
   * bring it back up, so messages are not held: each is tried on its own retry schedule.
   */
  boolean watched() {
    return watched;
  }

  void watch() {
    watched = true;
  }

  /** Called with the held messages when the upstream is up again. */
  void whenRecovered(Consumer<List<QueueId>> listener) {
    recovered = Objects.requireNonNull(listener);
  }

  /** Called with every failure reported (for a counter). */
  void whenFailed(Consumer<UpstreamFailure> listener) {
    failures = Objects.requireNonNull(listener);
  }

  /** Remembers a message held while down, to try when the upstream is back. */
  synchronized void hold(QueueId id) {
    waiting.add(id);
  }

  /** A failure: a down-class one marks the upstream down and starts the probe schedule. */
  void failed(UpstreamFailure f) {
    boolean report;
    synchronized (this) {
      last = Optional.of(f);
      if (!f.kind().down()) {
        report = false;
      } else {
        report = !down || !current.advice().equals(f.advice());
        if (!down) {
          Instant now = clock.instant();
          since = now;
          step = 0;
          nextProbe = now.plus(PROBE_BACKOFF.get(0));
          nextReach = now.plus(REACH_CHECK);
        }
        current = f;
        down = true;
      }
    }
    failures.accept(f);
    if (report) {
      logDown(f);
    }
  }

  /** A probe failed: the next one backs off. */
  void probeFailed(UpstreamFailure f) {
    boolean report;
    synchronized (this) {
      Instant now = clock.instant();
      step = Math.min(step + 1, PROBE_BACKOFF.size() - 1);
      nextProbe = now.plus(PROBE_BACKOFF.get(step));
      nextReach = now.plus(REACH_CHECK);
      report = current == null || !current.advice().equals(f.advice());
      current = f;
      last = Optional.of(f);
    }
    failures.accept(f);
    if (report) {
      logDown(f);
    } else {
      log.debug("upstream probe failed upstream={} class={}", name, f.kind().label());
    }
  }

  /** A reachability check found the port still closed. */
  synchronized void unreachable() {
    nextReach = clock.instant().plus(REACH_CHECK);
  }

  /** Makes the next full probe due now (the credentials changed). */
  synchronized void probeSoon() {
    nextProbe = clock.instant();
  }

  /** What to do at {@code now}. */
  synchronized Action due(Instant now) {
    if (!down) {
      return Action.NOTHING;
    }
    if (!now.isBefore(nextProbe)) {
      return Action.PROBE;
    }
    if (current.kind() == UpstreamFailure.Kind.CONNECT && !now.isBefore(nextReach)) {
      return Action.REACH;
    }
    return Action.NOTHING;
  }

  /** The upstream answered: up again, and every held message goes to the recovery listener. */
  void succeeded() {
    List<QueueId> release;
    Instant was;
    synchronized (this) {
      if (!down && waiting.isEmpty()) {
        return;
      }
      was = since;
      down = false;
      current = null;
      nextProbe = Instant.MAX;
      nextReach = Instant.MAX;
      release = new ArrayList<>(waiting);
      waiting.clear();
    }
    if (was != null) {
      log.info(
          "upstream up again upstream={} downFor={} waiting={}",
          name,
          Duration.between(was, clock.instant()),
          release.size());
    }
    if (!release.isEmpty()) {
      recovered.accept(release);
    }
  }

  private void logDown(UpstreamFailure f) {
    if (f.kind() == UpstreamFailure.Kind.CONNECT) {
      log.warn(
          "upstream down upstream={} class={}: {}; mail is queued and tried when it answers",
          name,
          f.kind().label(),
          f.advice());
    } else {
      log.error("upstream failing upstream={} class={}: {}", name, f.kind().label(), f.advice());
    }
  }
}
