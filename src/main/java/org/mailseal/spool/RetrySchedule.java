// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a deferred message again: after the n-th failed attempt wait {@code steps[n-1]} (the
 * last step repeats), give or take a random jitter so that messages deferred together do not retry
 * together, and never past the maximum age counted from acceptance. Once that age is reached the
 * answer is {@link RetryDecision.Expired}.
 *
 * <p>Defaults: 1 min, 5 min, 15 min, 30 min, 1 h, then hourly; 5 days; ±10 % jitter; no delay
 * warning. Takes no clock: the caller passes the times, so the schedule is a function of its
 * arguments and of the random generator (seeded in tests).
 */
public final class RetrySchedule {
  /** The default waits after the first, second, ... failed attempt; the last one repeats. */
  public static final List<Duration> DEFAULT_STEPS =
      List.of(
          Duration.ofMinutes(1),
          Duration.ofMinutes(5),
          Duration.ofMinutes(15),
          Duration.ofMinutes(30),
          Duration.ofHours(1));

  /** The default maximum time a message is kept trying, from acceptance (Postfix uses 5d too). */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(5);

  /** The default jitter: a wait is stretched or shrunk by up to this fraction. */
  public static final double DEFAULT_JITTER = 0.10;

  private final List<Duration> steps;
  private final Duration maxAge;
  private final Optional<Duration> delayWarning;
  private final double jitter;
  private final RandomGenerator random;

  /**
   * @param steps waits after the 1st, 2nd, ... failed attempt, all positive; the last repeats
   * @param maxAge how long after acceptance delivery is given up
   * @param delayWarning age after which the sender should be told the message is delayed (RFC 3464
   *     "delayed" DSN), or empty for never
   * @param jitter fraction in [0, 0.5] by which each wait may randomly grow or shrink
   * @param random the source of the jitter
   */
  public RetrySchedule(
      List<Duration> steps,
      Duration maxAge,
      Optional<Duration> delayWarning,
      double jitter,
      RandomGenerator random) {
    this.steps = List.copyOf(steps);
    if (this.steps.isEmpty()) {
      throw new IllegalArgumentException("RetrySchedule: steps must not be empty");
    }
    for (Duration d : this.steps) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("RetrySchedule: steps must be positive");
      }
    }
    if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("RetrySchedule: maxAge must be positive");
    }
    if (delayWarning == null
        || delayWarning.filter(d -> d.isNegative() || d.isZero()).isPresent()) {
      throw new IllegalArgumentException("RetrySchedule: delayWarning must be positive or empty");
    }
    if (!(jitter >= 0 && jitter <= 0.5)) {
      throw new IllegalArgumentException("RetrySchedule: jitter must be in [0, 0.5]");
    }
    if (random == null) {
      throw new IllegalArgumentException("RetrySchedule: random must not be null");
    }
    this.maxAge = maxAge;
    this.delayWarning = delayWarning;
    this.jitter = jitter;
    this.random = random;
  }

  /** The default schedule (see the class comment). */
  public static RetrySchedule defaults(RandomGenerator random) {
    return new RetrySchedule(
        DEFAULT_STEPS, DEFAULT_MAX_AGE, Optional.empty(), DEFAULT_JITTER, random);
  }

  /** This schedule giving up after {@code age}. */
  public RetrySchedule withMaxAge(Duration age) {
    return new RetrySchedule(steps, age, delayWarning, jitter, random);
  }

  /** This schedule warning of delay after {@code age}. */
  public RetrySchedule withDelayWarning(Duration age) {
    return new RetrySchedule(steps, maxAge, Optional.of(age), jitter, random);
  }

  /** This schedule with another jitter fraction (0 for none). */
  public RetrySchedule withJitter(double fraction) {
    return new RetrySchedule(steps, maxAge, delayWarning, fraction, random);
  }

  /**
   * When to try again after {@code attempts} failed attempts of a message accepted at {@code
   * accepted}, deciding at {@code now}. With no attempt yet the message is due at once. A retry is
   * never set past the deadline, so the last attempt happens at the deadline, and the next decision
   * after it is {@link RetryDecision.Expired}.
   */
  public RetryDecision next(int attempts, Instant accepted, Instant now) {
    Instant deadline = accepted.plus(maxAge);
    if (!now.isBefore(deadline)) {
      return new RetryDecision.Expired(deadline);
    }
    if (attempts <= 0) {
      return new RetryDecision.RetryAt(now);
    }
    Duration wait = steps.get(Math.min(attempts, steps.size()) - 1);
    long millis = wait.toMillis();
    if (jitter > 0) {
      // uniform in [-jitter, +jitter) of the wait
      double factor = 1 + jitter * (2 * random.nextDouble() - 1);
      millis = Math.max(1, Math.round(millis * factor));
    }
    Instant at = now.plusMillis(millis);
    return new RetryDecision.RetryAt(at.isAfter(deadline) ? deadline : at);
  }

  /**
   * Whether a message accepted at {@code accepted} is old enough at {@code now} that its sender
   * should be warned it is delayed. Always false without a delay-warning threshold. Whether the
   * warning was already sent is for the caller to remember.
   */
  public boolean isDelayed(Instant accepted, Instant now) {
    return delayWarning.map(d -> !now.isBefore(accepted.plus(d))).orElse(false);
  }

  /** How long after acceptance delivery is given up. */
  public Duration maxAge() {
    return maxAge;
  }
}
