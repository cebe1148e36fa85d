// SPDX-License-Identifier: Apache-2.0
package org.mailseal.policy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Each user's sending budget over sliding windows: messages per hour and per day, recipients per
 * day, and first-time recipients per day (addresses the user has not sent to before; a stolen
 * password mostly writes to strangers). Counts are kept per minute, in memory: a restart forgets
 * them, and forgets which recipients a user knows, so after a restart every recipient counts as
 * first-time once. Memory is bounded: at most {@link #MAX_USERS} users (the least recently active
 * go first), a day's minutes per user, and {@link #MAX_KNOWN} known recipients per user.
 * Thread-safe.
 *
 * <p>Call order per message: {@link #mailFrom}, {@link #recipient} for each RCPT (with those
 * accepted so far), then {@link #accepted} once it is queued. A refusal counts nothing.
 */
public final class UserLimiter {
  static final Duration HOUR = Duration.ofHours(1);
  static final Duration DAY = Duration.ofDays(1);
  static final int MAX_USERS = 100_000;
  static final int MAX_KNOWN = 10_000;

  /**
   * A limit the user has reached.
   *
   * @param value the limit in force for this user
   * @param reply {@code 450 4.7.1}, naming the limit and when to try again
   */
  public record Exceeded(SendingLimit limit, int value, SmtpReply reply) {}

  private static final class Usage {
    /** {minute, messages, recipients, first-time recipients}, oldest first. */
    final ArrayDeque<long[]> minutes = new ArrayDeque<>();

    final Map<String, Boolean> known =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_KNOWN;
          }
        };
  }

  private static final int MESSAGES = 1;
  private static final int RECIPIENTS = 2;
  private static final int FIRST_TIME = 3;

  private final SendingLimits global;
  private final Clock clock;
  private final Map<String, Usage> users = new LinkedHashMap<>(16, 0.75f, true);

  /**
   * @param global the limits of users without their own (0: no limit)
   */
  public UserLimiter(SendingLimits global, Clock clock) {
    this.global = global;
    this.clock = clock;
  }

  /** At MAIL FROM: the message limit {@code user} has reached, if any. */
  public synchronized Optional<Exceeded> mailFrom(String user, SendingLimits own) {
    SendingLimits limits = global.with(own);
    Usage u = usage(user);
    Optional<Exceeded> e =
        check(user, u, limits, SendingLimit.MESSAGES_PER_HOUR, MESSAGES, HOUR, 0);
    return e.isPresent()
        ? e
        : check(user, u, limits, SendingLimit.MESSAGES_PER_DAY, MESSAGES, DAY, 0);
  }

  /**
   * At RCPT TO: the recipient limit that {@code recipient} would cross, if any.
   *
   * @param pending the recipients of this message accepted so far
   */
  public synchronized Optional<Exceeded> recipient(
      String user, SendingLimits own, List<String> pending, String recipient) {
    SendingLimits limits = global.with(own);
    Usage u = usage(user);
    Optional<Exceeded> e =
        check(user, u, limits, SendingLimit.RECIPIENTS_PER_DAY, RECIPIENTS, DAY, pending.size());
    if (e.isPresent() || isKnown(u, recipient)) {
      return e;
    }
    long newPending = pending.stream().filter(r -> !isKnown(u, r)).distinct().count();
    return check(
        user, u, limits, SendingLimit.FIRST_TIME_RECIPIENTS_PER_DAY, FIRST_TIME, DAY, newPending);
  }

  /** Counts one queued message of {@code user} to {@code recipients}. */
  public synchronized void accepted(String user, List<String> recipients) {
    Usage u = usage(user);
    long minute = clock.millis() / 60_000;
    long[] b = u.minutes.peekLast();
    if (b == null || b[0] != minute) {
      b = new long[] {minute, 0, 0, 0};
      u.minutes.addLast(b);
    }
    b[MESSAGES]++;
    b[RECIPIENTS] += recipients.size();
    for (String r : recipients) {
      if (u.known.put(key(r), Boolean.TRUE) == null) {
        b[FIRST_TIME]++;
      }
    }
  }

  /** Forgets {@code user}'s counts (after {@code users resume}): their budget starts afresh. */
  public synchronized void reset(String user) {
    Usage u = users.get(user);
    if (u != null) {
      u.minutes.clear();
    }
  }

  private Optional<Exceeded> check(
      String user,
      Usage u,
      SendingLimits limits,
      SendingLimit limit,
      int column,
      Duration window,
      long pending) {
    int max = limits.get(limit).orElse(0);
    if (max == 0) {
      return Optional.empty();
    }
    long from = clock.millis() / 60_000 - window.toMinutes() + 1;
    long used = pending;
    long oldest = -1;
    for (long[] b : u.minutes) {
      if (b[0] >= from && b[column] > 0) {
        used += b[column];
        oldest = oldest < 0 ? b[0] : oldest;
      }
    }
    if (used < max) {
      return Optional.empty();
    }
    long minutes = oldest < 0 ? window.toMinutes() : Math.max(1, oldest - from + 1);
    String per = window.equals(HOUR) ? "the last hour" : "the last 24 hours";
    return Optional.of(
        new Exceeded(
            limit,
            max,
            new SmtpReply(
                450,
                "4.7.1",
                "User "
                    + MailAddress.printable(user)
                    + " reached the limit "
                    + limit.key()
                    + " ("
                    + max
                    + " in "
                    + per
                    + "); try again in "
                    + minutes
                    + " minutes")));
  }

  private Usage usage(String user) {
    Usage u = users.get(user);
    long from = clock.millis() / 60_000 - DAY.toMinutes() + 1;
    if (u == null) {
      evict();
      u = new Usage();
      users.put(user, u);
    }
    while (!u.minutes.isEmpty() && u.minutes.peekFirst()[0] < from) {
      u.minutes.removeFirst();
    }
    return u;
  }

  /** Drops the least recently active users past {@link #MAX_USERS}. */
  private void evict() {
    Iterator<Usage> it = users.values().iterator();
    while (users.size() >= MAX_USERS && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  private static boolean isKnown(Usage u, String recipient) {
    return u.known.containsKey(key(recipient));
  }

  private static String key(String recipient) {
    return recipient.toLowerCase(Locale.ROOT);
  }
}
