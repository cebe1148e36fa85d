// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing, per client address and per user name: after the first failures each
 * further attempt must wait a growing delay (1 s, 2 s, 4 s … at most 30 s), and after {@link
 * #LOCKOUT_AFTER} failures within {@link #WINDOW} the key is locked out for {@link #LOCKOUT}. A
 * success clears the user's record. Memory stays bounded: the oldest records are dropped past
 * {@link #MAX_TRACKED}. Not thread-safe by itself; the {@link Authenticator} serializes calls.
 */
public final class LoginThrottle {
  public static final int FREE_FAILURES = 2;
  public static final int LOCKOUT_AFTER = 10;
  public static final Duration WINDOW = Duration.ofMinutes(15);
  public static final Duration LOCKOUT = Duration.ofMinutes(15);
  public static final Duration MAX_DELAY = Duration.ofSeconds(30);
  public static final int MAX_TRACKED = 10_000;

  private final Clock clock;
  private final Map<String, Record> records =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Record> eldest) {
          return size() > MAX_TRACKED;
        }
      };

  private static final class Record {
    int failures;
    Instant first;
    Instant last;
  }

  /** Why an attempt may not be made now. */
  public sealed interface Verdict permits Verdict.Wait, Verdict.Locked {
    Instant until();

    /** Another attempt only after {@code until} (throttled: 454 4.7.0). */
    record Wait(Instant until) implements Verdict {}

    /** No attempt before {@code until} (locked out: 421 4.7.0). */
    record Locked(Instant until) implements Verdict {}
  }

  public LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  /** Whether an attempt for {@code ip} and {@code user} must wait, and until when. */
  public Optional<Verdict> check(String ip, String user) {
    Instant now = clock.instant();
    Optional<Verdict> a = verdict("ip:" + ip, now);
    Optional<Verdict> b = verdict("user:" + user.toLowerCase(java.util.Locale.ROOT), now);
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return a.get() instanceof Verdict.Locked || a.get().until().isAfter(b.get().until()) ? a : b;
  }

  public void failed(String ip, String user) {
    Instant now = clock.instant();
    count("ip:" + ip, now);
    count("user:" + user.toLowerCase(java.util.Locale.ROOT), now);
  }

  public void succeeded(String ip, String user) {
    records.remove("user:" + user.toLowerCase(java.util.Locale.ROOT));
  }

  private void count(String key, Instant now) {
    Record r = records.get(key);
    if (r == null || now.isAfter(r.first.plus(WINDOW).plus(LOCKOUT))) {
      r = new Record();
      r.first = now;
      records.put(key, r);
    }
    r.failures++;
    r.last = now;
  }

  private Optional<Verdict> verdict(String key, Instant now) {
    Record r = records.get(key);
    if (r == null) {
      return Optional.empty();
    }
    if (r.failures >= LOCKOUT_AFTER) {
      Instant until = r.last.plus(LOCKOUT);
      return now.isBefore(until) ? Optional.of(new Verdict.Locked(until)) : Optional.empty();
    }
    if (r.failures <= FREE_FAILURES) {
      return Optional.empty();
    }
    long seconds =
        Math.min(MAX_DELAY.getSeconds(), 1L << Math.min(30, r.failures - FREE_FAILURES - 1));
    Instant until = r.last.plusSeconds(seconds);
    return now.isBefore(until) ? Optional.of(new Verdict.Wait(until)) : Optional.empty();
  }
}
