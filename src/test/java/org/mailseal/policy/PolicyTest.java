// SPDX-License-Identifier: Apache-2.0
package org.mailseal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
    RateLimiter limiter = new RateLimiter(2, clock);
    limiter.accepted("alice");
    clock.advance(Duration.ofMinutes(30));
    limiter.accepted("alice");
    assertThat(limiter.check("alice"))
        .map(SmtpReply::toString)
        .hasValueSatisfying(r -> assertThat(r).startsWith("450 4.7.1"));
    assertThat(limiter.check("bob")).isEmpty();
    clock.advance(Duration.ofMinutes(31));
    assertThat(limiter.check("alice")).isEmpty();
  }

  @Test
  void replyRefusesMismatchedEnhancedCode() {
    assertThatThrownBy(() -> new SmtpReply(550, "4.7.1", "x")).hasMessageContaining("enhanced");
  }
}
