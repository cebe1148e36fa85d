// SPDX-License-Identifier: Apache-2.0
package org.mailseal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailseal.testing.MutableClock;

/** Address parsing, sender patterns, the From rules and the hourly budget, without a server. */
class PolicyTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "<@a.example:b@c.example>",
        "user%host@example.com",
        "\"a@b\"@example.com",
        "host!user@example.com",
        "user@[192.0.2.1]",
        "user@example.com.",
        "user@localhost",
        "user@exa..mple.com",
        "a@b@example.com",
        ""
      })
  void routingTricksAndMalformedAddressesAreRefused(String text) {
    assertThatThrownBy(() -> MailAddress.parse(text)).isInstanceOf(MailAddress.Invalid.class);
  }

  @Test
  void addressesAreNormalizedToLowerCaseAsciiDomains() throws Exception {
    assertThat(MailAddress.parse("<Alice@Example.COM>").address()).isEqualTo("Alice@example.com");
    assertThat(MailAddress.parse("jörg@bücher.example").domain())
        .isEqualTo("xn--bcher-kva.example");
  }

  @ParameterizedTest
  @CsvSource({
    "alice@example.com, ALICE@example.com, true",
    "alice@example.com, bob@example.com, false",
    "example.com, anyone@example.com, true",
    "@example.com, anyone@example.com, true",
    "example.com, a@news.example.com, false",
    "*.example.com, a@news.example.com, true",
    "*.example.com, a@example.com, false",
  })
  void senderPatternsMatchAsDocumented(String pattern, String address, boolean expected)
      throws Exception {
    assertThat(SenderPattern.parse(pattern).matches(MailAddress.parse(address)))
        .isEqualTo(expected);
  }

  @Test
  void badPatternNamesItself() {
    assertThatThrownBy(() -> SenderPattern.parse("not a pattern"))
        .hasMessageContaining("not a pattern");
  }

  SenderPolicy policy = new SenderPolicy(Set.of("example.com")::contains);
  List<SenderPattern> alice =
      List.of(SenderPattern.parse("alice@example.com"), SenderPattern.parse("other.org"));

  @Test
  void headerFromNeedsOneAllowedAddressAtASignedDomain() {
    assertThat(policy.headerFrom("alice", alice, List.of("\"Alice A.\" <alice@example.com>")))
        .isEqualTo(new SenderPolicy.Allowed(new MailAddress("alice", "example.com")));
    assertThat(
            reply(
                policy.headerFrom(
                    "alice", alice, List.of("=?utf-8?q?Al=C3=AFce?= <alice@example.com>"))))
        .isNull();
    assertThat(reply(policy.headerFrom("alice", alice, List.of())))
        .startsWith("550 5.7.1 The message has no From");
    assertThat(reply(policy.headerFrom("alice", alice, List.of("a@other.org"))))
        .contains("not a domain this relay signs for");
    assertThat(reply(policy.headerFrom("alice", alice, List.of("undisclosed: a@example.com;"))))
        .startsWith("550 5.7.1");
    assertThat(reply(policy.headerFrom("alice", alice, List.of("<alice@example.com"))))
        .startsWith("554 5.6.0");
  }

  private static String reply(SenderPolicy.FromDecision d) {
    return d instanceof SenderPolicy.Refused r ? r.reply().toString() : null;
  }

  @Test
  void budgetSlidesOverTheHour() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    UserLimiter limiter =
        new UserLimiter(new SendingLimits(Map.of(SendingLimit.MESSAGES_PER_HOUR, 2)), clock);
    limiter.accepted("alice", List.of("r@example.org"));
    clock.advance(Duration.ofMinutes(30));
    limiter.accepted("alice", List.of("r@example.org"));
    assertThat(limiter.mailFrom("alice", SendingLimits.NONE))
        .map(e -> e.reply().toString())
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .isEqualTo(
                        "450 4.7.1 User alice reached the limit messages-per-hour (2 in the last"
                            + " hour); try again in 30 minutes"));
    assertThat(limiter.mailFrom("bob", SendingLimits.NONE)).isEmpty();
    clock.advance(Duration.ofMinutes(31));
    assertThat(limiter.mailFrom("alice", SendingLimits.NONE)).isEmpty();
  }

  @Test
  void aUsersOwnLimitsOverrideTheGlobalOnes() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    UserLimiter limiter =
        new UserLimiter(new SendingLimits(Map.of(SendingLimit.MESSAGES_PER_DAY, 1)), clock);
    limiter.accepted("alice", List.of("r@example.org"));
    SendingLimits more = new SendingLimits(Map.of(SendingLimit.MESSAGES_PER_DAY, 3));
    SendingLimits unlimited = new SendingLimits(Map.of(SendingLimit.MESSAGES_PER_DAY, 0));

    assertThat(limiter.mailFrom("alice", SendingLimits.NONE)).isPresent();
    assertThat(limiter.mailFrom("alice", more)).isEmpty();
    assertThat(limiter.mailFrom("alice", unlimited)).isEmpty();
  }

  @Test
  void recipientsAndFirstTimeRecipientsCountPerDayWithThoseOfTheMessageSoFar() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    UserLimiter limiter =
        new UserLimiter(
            new SendingLimits(
                Map.of(
                    SendingLimit.RECIPIENTS_PER_DAY, 5,
                    SendingLimit.FIRST_TIME_RECIPIENTS_PER_DAY, 3)),
            clock);
    limiter.accepted("alice", List.of("a@example.org", "b@example.org"));
    // Known recipients do not count as first-time, whatever the case of the address.
    assertThat(limiter.recipient("alice", SendingLimits.NONE, List.of(), "A@example.org"))
        .isEmpty();
    assertThat(
            limiter.recipient(
                "alice", SendingLimits.NONE, List.of("c@example.org"), "d@example.org"))
        .get()
        .extracting(UserLimiter.Exceeded::limit)
        .isEqualTo(SendingLimit.FIRST_TIME_RECIPIENTS_PER_DAY);
    assertThat(
            limiter.recipient(
                "alice",
                SendingLimits.NONE,
                List.of("a@example.org", "b@example.org", "e@example.org"),
                "a@example.org"))
        .get()
        .extracting(UserLimiter.Exceeded::limit)
        .isEqualTo(SendingLimit.RECIPIENTS_PER_DAY);
    clock.advance(Duration.ofHours(24));
    assertThat(
            limiter.recipient(
                "alice", SendingLimits.NONE, List.of("c@example.org"), "d@example.org"))
        .isEmpty();
  }

  @Test
  void replyRefusesMismatchedEnhancedCode() {
    assertThatThrownBy(() -> new SmtpReply(550, "4.7.1", "x")).hasMessageContaining("enhanced");
  }
}
