// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The time one session has left, in monotonic nanoseconds (the clock of socket timeouts; the wall
 * clock may jump). While the server waits for the client, a deadline runs: for a command line,
 * {@code commandDeadline} from the end of the previous reply; for a message, {@code
 * messageDeadline} from {@code 354}, and after {@code grace} at least {@code minBytesPerSecond} on
 * average (as Postfix's {@code smtpd_min_data_rate}); and for the whole session, {@code lifetime}.
 * While the server works on a command no deadline runs: the client is not blamed for our signing
 * and fsync, and an accepted message is never cut off before its reply.
 *
 * <p>The session's thread moves the phase; the watchdog ({@link Deadlines}) calls {@link
 * #expire(long)}. Both hold this object's lock, so a session is either expired while it waited, or
 * has left the wait and is not expired: never both.
 */
final class Deadline implements DotData.Pace {
  /** The limits, in nanoseconds and bytes per second. */
  record Rules(
      long commandNanos,
      long messageNanos,
      long minBytesPerSecond,
      long graceNanos,
      long lifeNanos) {
    Rules {
      if (commandNanos <= 0 || messageNanos <= 0 || graceNanos < 0 || lifeNanos <= 0) {
        throw new IllegalArgumentException("Deadline.Rules: durations must be positive");
      }
      if (minBytesPerSecond < 0) {
        throw new IllegalArgumentException("Deadline.Rules: minBytesPerSecond must be >= 0");
      }
    }

    static Rules of(
        Duration command, Duration message, long minBytesPerSecond, Duration grace, Duration life) {
      return new Rules(
          command.toNanos(), message.toNanos(), minBytesPerSecond, grace.toNanos(), life.toNanos());
    }
  }

  /** Thrown into the session's thread when it reads on after its time ran out. */
  static final class Passed extends IOException {
    private static final long serialVersionUID = 1L;

    Passed(String reply) {
      super(reply);
    }
  }

  private enum Phase {
    COMMAND,
    WORKING,
    MESSAGE
  }

  private final Rules rules;
  private final long born;
  private Phase phase = Phase.COMMAND;
  private long since;
  private long bytes;
  private String expired;

  Deadline(Rules rules, long now) {
    this.rules = rules;
    this.born = now;
    this.since = now;
  }

  /** The server has replied and waits for the next command line (or the TLS handshake). */
  synchronized void awaitCommand(long now) {
    if (expired == null) {
      phase = Phase.COMMAND;
      since = now;
    }
  }

  /**
   * A command line arrived and the server works on it.
   *
   * @return false when the session ran out of time first: it is being closed, do nothing
   */
  synchronized boolean working() {
    if (expired != null) {
      return false;
    }
    phase = Phase.WORKING;
    return true;
  }

  /** {@code 354} (or a BDAT chunk) was sent: the message's deadline and rate start now. */
  synchronized void message(long now) {
    if (expired == null) {
      phase = Phase.MESSAGE;
      since = now;
      bytes = 0;
    }
  }

  @Override
  public synchronized void received(int n) throws Passed {
    if (expired != null) {
      throw new Passed(expired);
    }
    bytes += n;
  }

  @Override
  public void ended() throws Passed {
    if (!working()) {
      throw new Passed(expired);
    }
  }

  synchronized boolean isExpired() {
    return expired != null;
  }

  /**
   * Called by the watchdog: the {@code 421} reply text if the session waited past a deadline (it is
   * then expired for good), else empty. Never while the server works on a command.
   */
  synchronized Optional<String> expire(long now) {
    if (expired != null || phase == Phase.WORKING) {
      return Optional.empty();
    }
    String why = reason(now);
    if (why != null) {
      expired = "421 4.4.2 " + why + "; closing";
    }
    return Optional.ofNullable(expired);
  }

  private String reason(long now) {
    if (now - born >= rules.lifeNanos()) {
      return "Session open longer than " + human(rules.lifeNanos());
    }
    long waited = now - since;
    if (phase == Phase.COMMAND) {
      return waited >= rules.commandNanos()
          ? "No complete command within " + human(rules.commandNanos())
          : null;
    }
    if (waited >= rules.messageNanos()) {
      return "Message not received within " + human(rules.messageNanos());
    }
    long rated = waited - rules.graceNanos();
    if (rated > 0 && bytes < (double) rated * rules.minBytesPerSecond() / 1e9) {
      return "Message data slower than " + rules.minBytesPerSecond() + " bytes per second";
    }
    return null;
  }

  /** A duration as an operator would write it: {@code 5m}, {@code 90s}, {@code 1500ms}. */
  static String human(long nanos) {
    Duration d = Duration.ofNanos(nanos);
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }
}
