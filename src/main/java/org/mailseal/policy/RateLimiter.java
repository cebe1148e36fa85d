// SPDX-License-Identifier: Apache-2.0
package org.mailseal.policy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Messages per user per hour, over a sliding hour: each accepted message is remembered for an hour.
 * Memory is bounded: at most {@code limit} instants per user, and users idle for an hour are
 * forgotten. Thread-safe.
 */
public final class RateLimiter {
  static final Duration WINDOW = Duration.ofHours(1);
  private static final int MAX_USERS = 100_000;

  private final int limit;
  private final Clock clock;
  private final Map<String, ArrayDeque<Instant>> sent = new LinkedHashMap<>(16, 0.75f, true);

  public RateLimiter(int limitPerHour, Clock clock) {
    if (limitPerHour < 1) {
      throw new IllegalArgumentException("RateLimiter: limit must be at least 1");
    }
    this.limit = limitPerHour;
    this.clock = clock;
  }

  /** The refusal when {@code user} has used the hour's budget, without counting anything. */
  public synchronized Optional<SmtpReply> check(String user) {
    ArrayDeque<Instant> q = window(user);
    if (q != null && q.size() >= limit) {
      Duration wait = Duration.between(clock.instant(), q.peekFirst().plus(WINDOW));
      return Optional.of(
          new SmtpReply(
              450,
              "4.7.1",
              "User "
                  + MailAddress.printable(user)
                  + " has sent "
                  + limit
                  + " messages in the last hour; try again in "
                  + Math.max(1, wait.toMinutes() + 1)
                  + " minutes"));
    }
    return Optional.empty();
  }

  /** Counts one accepted message for {@code user}. */
  public synchronized void accepted(String user) {
    ArrayDeque<Instant> q = window(user);
    if (q == null) {
      evict();
      q = new ArrayDeque<>();
      sent.put(user, q);
    }
    q.addLast(clock.instant());
    while (q.size() > limit) {
      q.removeFirst();
    }
  }

  private ArrayDeque<Instant> window(String user) {
    ArrayDeque<Instant> q = sent.get(user);
    if (q == null) {
      return null;
    }
    Instant cutoff = clock.instant().minus(WINDOW);
    while (!q.isEmpty() && !q.peekFirst().isAfter(cutoff)) {
      q.removeFirst();
    }
    return q;
  }

  private void evict() {
    Instant cutoff = clock.instant().minus(WINDOW);
    Iterator<Map.Entry<String, ArrayDeque<Instant>>> it = sent.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, ArrayDeque<Instant>> e = it.next();
      ArrayDeque<Instant> q = e.getValue();
      if (sent.size() > MAX_USERS || q.isEmpty() || !q.peekLast().isAfter(cutoff)) {
        it.remove();
      } else {
        break; // access order: the rest were used more recently
      }
    }
  }
}
