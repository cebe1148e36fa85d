// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mailseal.auth.AccountLimits;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.Suspension;
import org.mailseal.policy.Refusal;
import org.mailseal.policy.SendingLimit;
import org.mailseal.policy.UserLimiter;

/** The one place that words other parts' outcomes for a client: codes and texts. */
class SmtpRepliesTest {
  @Test
  void loginFailuresGetAuthCodesThatSayHowLongToWait() {
    assertThat(
            SmtpReplies.of(
                    new Authenticator.Failure(Authenticator.Failure.Reason.BAD_CREDENTIALS, "", 0))
                .toString())
        .isEqualTo("535 5.7.8 Authentication credentials invalid");
    assertThat(
            SmtpReplies.of(
                    new Authenticator.Failure(
                        Authenticator.Failure.Reason.THROTTLED, "your network", 4))
                .toString())
        .isEqualTo("454 4.7.0 Too many failed logins from your network; try again in 4 seconds");
    assertThat(
            SmtpReplies.of(
                    new Authenticator.Failure(
                        Authenticator.Failure.Reason.LOCKED, "your address", 900))
                .toString())
        .isEqualTo("421 4.7.0 Too many failed logins from your address; locked for 900 seconds");
  }

  @Test
  void policyRefusalsGetTheCodeOfTheirKind() {
    assertThat(SmtpReplies.of(new Refusal(Refusal.Reason.BAD_ADDRESS, "bad")).toString())
        .isEqualTo("553 5.1.3 bad");
    assertThat(SmtpReplies.of(new Refusal(Refusal.Reason.MALFORMED_FROM, "bad")).toString())
        .isEqualTo("554 5.6.0 bad");
    for (Refusal.Reason r :
        new Refusal.Reason[] {
          Refusal.Reason.NULL_SENDER,
          Refusal.Reason.NOT_ALLOWED,
          Refusal.Reason.PARKED,
          Refusal.Reason.NOT_ONE_FROM,
          Refusal.Reason.NOT_SIGNED
        }) {
      assertThat(SmtpReplies.of(new Refusal(r, "no")).toString()).isEqualTo("550 5.7.1 no");
    }
  }

  @Test
  void aLimitIsATemporaryRefusalNamingItAndASuspensionIsPermanent() {
    UserLimiter.Exceeded hour =
        new UserLimiter.Exceeded(SendingLimit.MESSAGES_PER_HOUR, 2, "alice", "the last hour", 30);
    assertThat(
            SmtpReplies.of(
                    new AccountLimits.Refusal("alice", Optional.of(hour), Optional.empty(), false))
                .toString())
        .isEqualTo(
            "450 4.7.1 User alice reached the limit messages-per-hour (2 in the last hour); try"
                + " again in 30 minutes");
    String suspended =
        SmtpReplies.of(
                new AccountLimits.Refusal(
                    "alice",
                    Optional.empty(),
                    Optional.of(new Suspension(Instant.parse("2026-12-05T10:00:00Z"), "spam")),
                    false))
            .toString();
    assertThat(suspended)
        .isEqualTo(
            "550 5.7.1 User alice is suspended since 2026-12-05T10:00:00Z (spam); ask the relay's"
                + " administrator");
  }

  @Test
  void replyRefusesMismatchedEnhancedCode() {
    assertThatThrownBy(() -> new SmtpReply(550, "4.7.1", "x")).hasMessageContaining("enhanced");
  }
}
