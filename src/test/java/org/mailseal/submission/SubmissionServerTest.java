// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.dkim.DkimVerifier;
import org.mailseal.dkim.VerificationResult;
import org.mailseal.keys.DkimKey;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.testing.SmtpDialog;

/** The submission listeners over real sockets: every reply code the issue names. */
@org.junit.jupiter.api.Timeout(120)
class SubmissionServerTest {
  @TempDir Path dir;
  RunningServer s;

  static final String MESSAGE =
      "From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: test\n\nHello.\n";

  @BeforeEach
  void start() throws Exception {
    s =
        new RunningServer(
            dir,
            l ->
                l.recipients(3)
                    .messageSize(20000)
                    .headerSize(4096)
                    .connectionsPerIp(4)
                    .messagesPerHour(5));
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  void authIsNotOfferedOrAcceptedBeforeStartTls() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust)) {
      assertThat(d.reply()).startsWith("220 mail.example.com");
      String ehlo = d.expect("EHLO client.test", "250");
      assertThat(ehlo).contains("STARTTLS").doesNotContain("AUTH");
      d.expect(
          "AUTH PLAIN " + SmtpDialog.b64("\0alice@example.com\0" + RunningServer.PASSWORD), "530");
      d.expect("MAIL FROM:<alice@example.com>", "530");
    }
  }

  @Test
  void mailWithoutAuthIsRefusedWith530EvenUnderTls() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      d.expect("MAIL FROM:<alice@example.com>", "530 5.7.0");
      d.expect("RCPT TO:<anyone@example.org>", "530 5.7.0");
    }
  }

  @Test
  void wrongPasswordGets535() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      assertThat(d.authPlain("alice@example.com", "wrong")).startsWith("535 5.7.8");
      assertThat(d.authPlain("nobody@example.com", "wrong")).startsWith("535 5.7.8");
    }
  }

  @Test
  void repeatedFailuresFromAnAddressAreThrottledThenLockedOut() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      for (int i = 0; i < 4; i++) {
        assertThat(d.authPlain("alice@example.com", "wrong" + i)).startsWith("535 5.7.8");
      }
      // Past three typos, even the right password waits out the delay.
      assertThat(d.authPlain("alice@example.com", RunningServer.PASSWORD))
          .startsWith("454 4.7.0 Too many failed logins from your address");
      for (int i = 4; i < 10; i++) {
        s.clock.advance(Duration.ofSeconds(31));
        assertThat(d.authPlain("alice@example.com", "wrong" + i)).startsWith("535 5.7.8");
      }
      s.clock.advance(Duration.ofSeconds(31));
      assertThat(d.authPlain("alice@example.com", RunningServer.PASSWORD)).startsWith("421 4.7.0");
    }
    s.clock.advance(Duration.ofMinutes(16));
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      assertThat(d.authPlain("alice@example.com", RunningServer.PASSWORD)).startsWith("235");
    }
  }

  @Test
  void threeTyposThenTheRightPasswordIsAcceptedAtOnce() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      for (int i = 0; i < 3; i++) {
        assertThat(d.authPlain("alice@example.com", "typo" + i)).startsWith("535 5.7.8");
      }
      assertThat(d.authPlain("alice@example.com", RunningServer.PASSWORD)).startsWith("235");
    }
  }

  @Test
  void loginWorksWithAndWithoutInitialResponse() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      d.expect("AUTH LOGIN", "334 VXNlcm5hbWU6");
      d.expect(SmtpDialog.b64("alice@example.com"), "334 UGFzc3dvcmQ6");
      d.expect(SmtpDialog.b64(RunningServer.PASSWORD), "235");
    }
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      d.expect("AUTH LOGIN " + SmtpDialog.b64("alice@example.com"), "334 UGFzc3dvcmQ6");
      d.expect(SmtpDialog.b64(RunningServer.PASSWORD), "235");
    }
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      d.expect("AUTH PLAIN", "334");
      d.expect(SmtpDialog.b64("\0alice@example.com\0" + RunningServer.PASSWORD), "235");
    }
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      // An authorization identity other than the user is refused.
      assertThat(
              d.command(
                  "AUTH PLAIN "
                      + SmtpDialog.b64(
                          "bob@example.com\0alice@example.com\0" + RunningServer.PASSWORD)))
          .startsWith("535 5.7.8");
    }
  }

  @Test
  void spoofedEnvelopeSenderIsRefused() throws Exception {
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<bob@example.com>", "550 5.7.1");
      d.expect("MAIL FROM:<>", "550 5.7.1");
      d.expect("MAIL FROM:<alice@example.com>", "250");
    }
  }

  @Test
  void headerFromMustBeOneAllowedSignedAddress() throws Exception {
    String[][] cases = {
      {
        "From: bob@example.com\nSubject: x\n\nbody\n",
        "550 5.7.1 From <bob@example.com> is not allowed"
      },
      {"Subject: x\n\nbody\n", "550 5.7.1 The message has no From"},
      {
        "From: alice@example.com\nFrom: alice@example.com\n\nbody\n",
        "550 5.7.1 The message has 2 From"
      },
      {
        "From: alice@example.com, bob@example.com\n\nbody\n",
        "550 5.7.1 The From header field has 2 addresses"
      },
      {"From: <alice@example.com\n\nbody\n", "554 5.6.0"},
    };
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      for (String[] c : cases) {
        d.expect("RSET", "250");
        d.expect("MAIL FROM:<alice@example.com>", "250");
        d.expect("RCPT TO:<carol@example.org>", "250");
        assertThat(d.data(c[0])).as(c[0]).startsWith(c[1]);
      }
    }
    try (SmtpDialog d = s.authenticated("bob@example.com")) {
      d.expect("MAIL FROM:<bob@other.org>", "250");
      d.expect("RCPT TO:<carol@example.org>", "250");
      assertThat(d.data("From: bob@other.org\n\nbody\n"))
          .startsWith("550 5.7.1 From domain other.org is not a domain this relay signs for");
    }
    assertThat(s.spool.depth()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<@relay.example.net:victim@example.org>",
        "<victim%example.org@example.com>",
        "<\"victim@example.org\"@example.com>",
        "<example.org!victim>",
        "<victim@[192.0.2.1]>",
        "<victim>"
      })
  void addressTricksCannotRouteMail(String path) throws Exception {
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:" + path, "553 5.1.3");
    }
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      d.expect("RCPT TO:" + path, "530");
    }
  }

  @Test
  void domainWithoutActiveKeyGetsTemporaryFailure() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.trustedPort(), s.trust)) {
      d.reply();
      d.expect("EHLO cron.test", "250");
      d.expect("MAIL FROM:<cron@nokey.example>", "250");
      d.expect("RCPT TO:<ops@example.org>", "250");
      assertThat(d.data("From: cron@nokey.example\n\nreport\n"))
          .startsWith("451 4.7.0 No active DKIM key for nokey.example");
    }
  }

  @Test
  void sizeAndRecipientLimitsUseTheStandardCodes() throws Exception {
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com> SIZE=999999", "552");
      d.expect("MAIL FROM:<alice@example.com>", "250");
      for (int i = 0; i < 3; i++) {
        d.expect("RCPT TO:<r" + i + "@example.org>", "250");
      }
      d.expect("RCPT TO:<r4@example.org>", "452");
      String big = "From: alice@example.com\n\n" + "x".repeat(900) + "\n";
      assertThat(d.data(big.repeat(1) + ("y".repeat(900) + "\n").repeat(30)))
          .startsWith("552 5.3.4");
      // The refused message was read to its end: the session goes on.
      d.expect("RSET", "250");
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<r@example.org>", "250");
      assertThat(
              d.data(
                  "From: alice@example.com\nX-Big: "
                      + ("h".repeat(70) + "\n ").repeat(80)
                      + "x\n\nbody\n"))
          .startsWith("552 5.3.4 Header section");
    }
  }

  @Test
  void connectionsPerAddressAreBounded() throws Exception {
    List<SmtpDialog> open = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust);
        assertThat(d.reply()).startsWith("220");
        open.add(d);
      }
      try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust)) {
        assertThat(d.reply()).startsWith("421 4.7.0");
      }
    } finally {
      for (SmtpDialog d : open) {
        d.close();
      }
    }
  }

  @Test
  void hourlyMessageBudgetGets450() throws Exception {
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      for (int i = 0; i < 5; i++) {
        d.expect("MAIL FROM:<alice@example.com>", "250");
        d.expect("RCPT TO:<r@example.org>", "250");
        assertThat(d.data(MESSAGE)).startsWith("250 2.0.0");
      }
      d.expect("MAIL FROM:<alice@example.com>", "450 4.7.1");
      s.clock.advance(Duration.ofMinutes(61));
      d.expect("MAIL FROM:<alice@example.com>", "250");
    }
  }

  @Test
  void acceptedMessageIsInTheSpoolSignedAndVerifies() throws Exception {
    String reply;
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org>", "250");
      reply =
          d.data(MESSAGE.replace("\n", "\r\n").replace("Hello.", "Hello.\n.leading dot\nbare LF"));
    }
    assertThat(reply).matches("250 2\\.0\\.0 Ok: queued as [0-9A-Z]+");
    String id = reply.substring(reply.lastIndexOf(' ') + 1);
    SpoolEntry e = s.spool.list().get(0);
    assertThat(e.id().value()).isEqualTo(id);
    assertThat(e.sender()).isEqualTo("alice@example.com");
    assertThat(e.authUser()).isEqualTo("alice@example.com");
    byte[] stored = s.spool.open(e.id()).readAllBytes();
    String text = new String(stored, StandardCharsets.UTF_8);
    assertThat(text).startsWith("DKIM-Signature: v=1; a=rsa-sha256;").contains("a=ed25519-sha256");
    assertThat(text).contains("Received: from client.test ([127.0.0.1])").contains("with ESMTPSA");
    assertThat(text).contains("Message-ID: <").contains("Date: Mon, 23 Nov 2026 10:00:00 +0000");
    assertThat(text).contains("\r\n.leading dot\r\nbare LF\r\n").doesNotContain("\n\n");
    DkimVerifier verifier =
        new DkimVerifier(
            (domain, selector) -> {
              Optional<DkimKey> k;
              try {
                k = s.keys.find(domain, new org.mailseal.keys.Selector(selector));
              } catch (org.mailseal.keys.KeyStoreException ex) {
                throw new IllegalStateException(ex);
              }
              return k.map(DkimKey::record)
                  .map(DkimKeyRecord::render)
                  .map(List::of)
                  .orElse(List.of());
            },
            s.clock);
    List<VerificationResult> results = verifier.verify(new ByteArrayInputStream(stored));
    assertThat(results).hasSize(2).allMatch(r -> r instanceof VerificationResult.Pass);
  }

  @Test
  void implicitTlsListenerAcceptsAuthenticatedMail() throws Exception {
    try (SmtpDialog d = SmtpDialog.tls(s.submissionsPort(), s.trust)) {
      assertThat(d.reply()).startsWith("220");
      assertThat(d.expect("EHLO client.test", "250"))
          .contains("AUTH PLAIN LOGIN")
          .doesNotContain("STARTTLS");
      d.expect("MAIL FROM:<alice@example.com>", "530");
      assertThat(d.authPlain("alice@example.com", RunningServer.PASSWORD)).startsWith("235");
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org>", "250");
      assertThat(d.data(MESSAGE)).startsWith("250 2.0.0");
    }
    assertThat(s.spool.depth()).isEqualTo(1);
  }

  @Test
  void trustedListenerServesOnlyItsNetworksAndOnlySignedDomains() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.trustedPort(), s.trust)) {
      d.reply();
      d.expect("EHLO cron.test", "250");
      d.expect("MAIL FROM:<someone@elsewhere.org>", "550 5.7.1");
      d.expect("MAIL FROM:<cron@example.com>", "250");
      d.expect("RCPT TO:<ops@example.org>", "250");
      assertThat(d.data("From: cron@example.com\nSubject: nightly\n\nok\n"))
          .startsWith("250 2.0.0");
    }
  }

  @Test
  void aSenderAtAParkedDomainIsRefusedAndToldWhy() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.trustedPort(), s.trust)) {
      d.reply();
      d.expect("EHLO cron.test", "250");
      assertThat(d.command("MAIL FROM:<billing@parked.example>"))
          .isEqualTo(
              "550 5.7.1 parked.example is a parked domain: it sends no mail, and its DNS tells"
                  + " receivers to reject mail from it");
      assertThat(d.command("MAIL FROM:<x@mail.parked.example>"))
          .startsWith("550 5.7.1 mail.parked");
    }
  }
}
