// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.auth.User;
import org.mailseal.policy.SenderPattern;
import org.mailseal.testing.CheapHash;
import org.mailseal.testing.SmtpDialog;

/**
 * Replies where SubEthaSMTP's own had no enhanced status code or the wrong one, and line limits
 * that follow the RFCs: bare CR line endings, over-long command lines, AUTH lines up to 12,288
 * octets (RFC 4954 §4) and BDAT (RFC 3030).
 */
@Timeout(60)
class RepliesTest {
  @TempDir Path dir;
  RunningServer s;

  @BeforeEach
  void start() throws Exception {
    s = new RunningServer(dir);
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  void bareCrLineEndingsCountAsLineEndsForTheLineLimit() throws Exception {
    String line = "y".repeat(100);
    String body = String.join("\r", java.util.Collections.nCopies(30, line));
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org>", "250");
      assertThat(d.data("From: alice@example.com\nSubject: cr\n\n" + body + "\n"))
          .startsWith("250 2.0.0");
    }
    assertThat(s.spool.depth()).isEqualTo(1);
  }

  @Test
  void authLinesLongerThan998OctetsAreReadUpTo12288() throws Exception {
    String password = "p".repeat(2000);
    s.users.put(
        new User(
            "long@example.com",
            CheapHash.of(password),
            List.of(SenderPattern.parse("long@example.com"))));
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      String initial = "AUTH PLAIN " + SmtpDialog.b64("\0long@example.com\0" + password);
      assertThat(initial.length()).isBetween(2000, 12_288);
      d.expect(initial, "235 2.7.0");
    }
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      d.expect("AUTH LOGIN", "334");
      d.expect(SmtpDialog.b64("long@example.com"), "334");
      d.expect(SmtpDialog.b64(password), "235 2.7.0");
    }
  }

  @Test
  void authLinesPast12288OctetsGet500WithTheirEnhancedCode() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      d.expect("AUTH PLAIN " + "A".repeat(13_000), "500 5.5.6");
      d.expect("AUTH PLAIN", "334");
      d.expect("A".repeat(13_000), "500 5.5.6");
      d.expect("NOOP", "250 2.0.0");
    }
  }

  @Test
  void overlongCommandLineGets500WithAnEnhancedCodeAndTheSessionGoesOn() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust)) {
      d.reply();
      d.expect("EHLO client.test", "250");
      d.expect("NOOP " + "x".repeat(1200), "500 5.5.2 Line too long");
      d.expect("NOOP", "250 2.0.0");
    }
  }

  /** BDAT with its chunk, raw, and the reply. */
  static String bdat(SmtpDialog d, String arguments, String chunk) throws Exception {
    d.sendRaw(("BDAT " + arguments + "\r\n" + chunk).getBytes(StandardCharsets.US_ASCII));
    return d.reply();
  }

  @Test
  void bdatChunksAreAnsweredWithEnhancedCodesAndTheMessageIsQueued() throws Exception {
    String head = "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: chunks\r\n\r\n";
    String body = "hello in two chunks\r\n";
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org>", "250");
      assertThat(bdat(d, String.valueOf(head.length()), head))
          .isEqualTo("250 2.0.0 " + head.length() + " octets received");
      assertThat(bdat(d, body.length() + " LAST", body)).startsWith("250 2.0.0 Ok: queued as");
      d.expect("NOOP", "250 2.0.0");
    }
    assertThat(s.spool.depth()).isEqualTo(1);
  }

  @Test
  void malformedBdatGets501WithAnEnhancedCodeAndTheSessionGoesOn() throws Exception {
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org>", "250");
      d.expect("BDAT x", "501 5.5.4 Syntax: BDAT size [LAST]");
      d.expect("BDAT 10 FIRST", "501 5.5.4");
      d.expect("BDAT", "501 5.5.4");
      assertThat(bdat(d, "5", "hello")).isEqualTo("250 2.0.0 5 octets received");
      d.expect("NOOP", "503 5.5.1 Expected BDAT");
      d.expect("MAIL FROM:<alice@example.com>", "250 2.1.0");
    }
    assertThat(s.spool.depth()).isZero();
  }

  @Test
  void unknownVerbsAndStartTlsRepliesCarryEnhancedCodes() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust)) {
      d.reply();
      d.expect("EHLO client.test", "250");
      d.expect("FROB nicate", "500 5.5.1 Command not recognized");
      d.expect("", "500 5.5.2");
      d.expect("STARTTLS now", "501 5.5.4");
      d.expect("STARTTLS", "220 2.0.0");
    }
  }
}
