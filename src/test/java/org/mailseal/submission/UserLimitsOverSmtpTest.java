// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.auth.AccountLimits;
import org.mailseal.auth.UserStore;
import org.mailseal.policy.SendingLimit;
import org.mailseal.policy.SendingLimits;
import org.mailseal.testing.LogCapture;
import org.mailseal.testing.SmtpDialog;

/** Per-user sending limits and suspension, end to end through the STARTTLS listener. */
@Timeout(60)
class UserLimitsOverSmtpTest {
  private static final String MESSAGE =
      "From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: test\n\nHello.\n";

  @TempDir Path dir;
  private RunningServer s;

  @AfterEach
  void stop() {
    if (s != null) {
      s.close();
    }
  }

  private void send(SmtpDialog d, String... rcpts) throws Exception {
    d.expect("MAIL FROM:<alice@example.com>", "250");
    for (String r : rcpts) {
      d.expect("RCPT TO:<" + r + ">", "250");
    }
    assertThat(d.data(MESSAGE)).startsWith("250 2.0.0");
  }

  private double exceeded(String limit) {
    var c = s.metrics.registry().find("mailseal.user.limit.exceeded").tag("limit", limit).counter();
    return c == null ? 0 : c.count();
  }

  /** A second store on the same file, as {@code mailseal users} uses. */
  private UserStore cli() {
    return new UserStore(s.users.file(), s.clock);
  }

  @Test
  void crossingADailyLimitGets450ThenSuspendsUntilResume() throws Exception {
    s = new RunningServer(dir, l -> l.messagesPerDay(2).suspendOnExceed(true));
    try (LogCapture log = new LogCapture(AccountLimits.class);
        SmtpDialog d = s.authenticated("alice@example.com")) {
      send(d, "r@example.org");
      send(d, "r@example.org");

      assertThat(d.command("MAIL FROM:<alice@example.com>"))
          .isEqualTo(
              "450 4.7.1 User alice@example.com reached the limit messages-per-day (2 in the"
                  + " last 24 hours); try again in 1440 minutes");
      assertThat(log.lines(Level.WARN))
          .singleElement()
          .asString()
          .contains("user limit reached user=\"alice@example.com\" limit=messages-per-day")
          .contains("suspended=true")
          .contains("ACTION:")
          .contains("mailseal users resume alice@example.com");
      assertThat(exceeded("messages-per-day")).isEqualTo(1.0);
      assertThat(s.metrics.registry().find("mailseal.users.suspended").counter().count())
          .isEqualTo(1.0);
      // The suspension is in the users file: it outlives a restart.
      assertThat(cli().load().get("alice@example.com").suspended())
          .get()
          .satisfies(x -> assertThat(x.reason()).isEqualTo("messages-per-day 2 reached"));

      s.clock.advance(Duration.ofHours(25)); // the day's budget is back, the suspension is not
      d.expect("MAIL FROM:<alice@example.com>", "550 5.7.1 User alice@example.com is suspended");
      try (SmtpDialog bob = s.authenticated("bob@example.com")) {
        bob.expect("MAIL FROM:<bob@example.com>", "250"); // others are not affected
      }

      cli().update("alice@example.com", u -> u.withSuspension(java.util.Optional.empty()));
      s.clock.advance(Duration.ofSeconds(2));
      send(d, "r@example.org");
    }
  }

  @Test
  void aResumedUserStartsWithAFreshBudget() throws Exception {
    s = new RunningServer(dir, l -> l.messagesPerHour(1).suspendOnExceed(true));
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      send(d, "r@example.org");
      d.expect("MAIL FROM:<alice@example.com>", "450 4.7.1");
      cli().update("alice@example.com", u -> u.withSuspension(java.util.Optional.empty()));
      s.clock.advance(Duration.ofSeconds(2));

      send(d, "r@example.org"); // not suspended again by the hour that is still running
    }
  }

  @Test
  void firstTimeAndTotalRecipientsPerDayAreCheckedAtRcpt() throws Exception {
    s = new RunningServer(dir, l -> l.firstTimeRecipientsPerDay(2).recipientsPerDay(4));
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      send(d, "one@example.org", "two@example.org");
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<One@example.org>", "250"); // known: not first-time
      assertThat(d.command("RCPT TO:<three@example.org>"))
          .startsWith(
              "450 4.7.1 User alice@example.com reached the limit first-time-recipients-per-day (2");
      d.expect("RCPT TO:<two@example.org>", "250");
      assertThat(d.data(MESSAGE)).startsWith("250 2.0.0");
      d.expect("MAIL FROM:<alice@example.com>", "250");
      assertThat(d.command("RCPT TO:<one@example.org>"))
          .startsWith("450 4.7.1 User alice@example.com reached the limit recipients-per-day (4");
      assertThat(exceeded("first-time-recipients-per-day")).isEqualTo(1.0);
      assertThat(exceeded("recipients-per-day")).isEqualTo(1.0);
    }
  }

  @Test
  void aUsersOwnLimitInTheUsersFileOverridesTheGlobalOne() throws Exception {
    s = new RunningServer(dir, l -> l.messagesPerHour(100));
    cli()
        .update(
            "alice@example.com",
            u -> u.withLimits(new SendingLimits(Map.of(SendingLimit.MESSAGES_PER_HOUR, 1))));
    s.clock.advance(Duration.ofSeconds(2));
    try (SmtpDialog d = s.authenticated("alice@example.com");
        SmtpDialog bob = s.authenticated("bob@example.com")) {
      send(d, "r@example.org");
      d.expect(
          "MAIL FROM:<alice@example.com>",
          "450 4.7.1 User alice@example.com reached the limit messages-per-hour (1 in the last hour)");
      bob.expect("MAIL FROM:<bob@example.com>", "250");
    }
  }
}
