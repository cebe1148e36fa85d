// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailseal.testing.SmtpDialog;

/**
 * The SMTP verbs as clients see them: the EHLO capabilities, enhanced status codes on every reply,
 * pipelining, MAIL and RCPT parameters, and real mail clients (Jakarta Mail) authenticating with
 * PLAIN and LOGIN through STARTTLS and implicit TLS.
 */
class SmtpVerbsTest {
  @TempDir Path dir;
  RunningServer s;

  @BeforeEach
  void start() throws Exception {
    s = new RunningServer(dir, l -> l.recipients(2).messageSize(20000));
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  void ehloAdvertisesPipeliningAndEnhancedCodesAndNoStartTlsOnceOn() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust)) {
      d.reply();
      String before = d.expect("EHLO client.test", "250");
      assertThat(before.lines())
          .contains(
              "250-PIPELINING",
              "250-SIZE 20000",
              "250-8BITMIME",
              "250-SMTPUTF8",
              "250-CHUNKING",
              "250-ENHANCEDSTATUSCODES",
              "250 STARTTLS");
      assertThat(before).doesNotContain("AUTH");
      d.expect("STARTTLS", "220");
    }
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      String after = d.expect("EHLO client.test", "250");
      assertThat(after).doesNotContain("STARTTLS").endsWith("250 AUTH PLAIN LOGIN");
    }
  }

  @Test
  void everyReplyOfATransactionCarriesAnEnhancedCode() throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust)) {
      d.reply();
      d.expect("EHLO client.test", "250");
      d.expect("MAIL FROM:<alice@example.com>", "530 5.7.0 Must issue a STARTTLS");
      d.expect("NOOP", "250 2.0.0");
    }
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      d.expect("MAIL FROM:<alice@example.com>", "530 5.7.0 Authentication required");
      d.expect("AUTH CRAM-MD5", "504 5.5.4");
      d.expect("AUTH", "501 5.5.4");
      assertThat(d.authPlain("alice@example.com", RunningServer.PASSWORD))
          .isEqualTo("235 2.7.0 Authentication successful");
      d.expect("AUTH PLAIN", "503 5.5.1");
      d.expect("RCPT TO:<bob@example.org>", "503 5.5.1");
      d.expect("DATA", "503 5.5.1");
      d.expect("MAIL FROM:<alice@example.com> SIZE=100 BODY=8BITMIME", "250 2.1.0");
      d.expect("MAIL FROM:<alice@example.com>", "503 5.5.1");
      d.expect("DATA", "503 5.5.1 Need RCPT");
      d.expect("RCPT TO:<bob@example.org>", "250 2.1.5");
      d.expect("RCPT TO:<carol@example.org>", "250 2.1.5");
      d.expect("RCPT TO:<dave@example.org>", "452 4.5.3");
      assertThat(d.data("From: alice@example.com\n\nhi\n")).startsWith("250 2.0.0 Ok: queued as");
      d.expect("RSET", "250 2.0.0");
      d.expect("VRFY bob", "252 2.5.2");
      d.expect("EXPN staff", "502 5.5.1");
      d.expect("QUIT", "221 2.0.0");
    }
  }

  @ParameterizedTest
  @CsvSource({
    "MAIL FROM:<alice@example.com> SIZE=20001, 552 5.3.4",
    "MAIL FROM:<alice@example.com> SIZE=big, 501 5.5.4",
    "MAIL FROM:<alice@example.com> BODY=BINARYMIME, 501 5.5.4",
    "MAIL FROM:<alice@example.com> RET=HDRS, 555 5.5.4",
    "MAIL FROM:<alice@example.com, 501 5.5.4",
    "MAIL TO:<alice@example.com>, 501 5.5.4",
    "MAIL FROM:<alice@example.com> SMTPUTF8 AUTH=<>, 250 2.1.0",
    "MAIL FROM:alice@example.com, 250 2.1.0",
  })
  void mailParametersAreCheckedWithPreciseCodes(String command, String expected) throws Exception {
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect(command, expected);
    }
  }

  @Test
  void rcptParametersWeDoNotAdvertiseAreRefused() throws Exception {
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org> NOTIFY=NEVER", "555 5.5.4");
      d.expect("RCPT TO:<bob@example.org>", "250 2.1.5");
    }
  }

  @Test
  void pipelinedTransactionIsAnsweredInOrder() throws Exception {
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      // RFC 2920: the client sends MAIL, RCPT, RCPT and DATA in one write.
      d.sendRaw(
          ("MAIL FROM:<alice@example.com>\r\nRCPT TO:<a@example.org>\r\n"
                  + "RCPT TO:<b@example.org>\r\nDATA\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      assertThat(d.reply()).startsWith("250 2.1.0");
      assertThat(d.reply()).startsWith("250 2.1.5");
      assertThat(d.reply()).startsWith("250 2.1.5");
      assertThat(d.reply()).startsWith("354");
      d.sendRaw(
          "From: alice@example.com\r\n\r\nhi\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(d.reply()).startsWith("250 2.0.0 Ok: queued as");
      assertThat(d.reply()).startsWith("221 2.0.0");
    }
    assertThat(s.spool.depth()).isEqualTo(1);
  }

  @Test
  void aLineLongerThan998OctetsIsRefusedAndTheSessionGoesOn() throws Exception {
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org>", "250");
      assertThat(d.data("From: alice@example.com\n\n" + "x".repeat(999) + "\nend\n"))
          .startsWith("554 5.6.0 Message has a line longer than 998 octets");
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org>", "250");
      assertThat(d.data("From: alice@example.com\n\n" + "x".repeat(998) + "\nend\n"))
          .startsWith("250 2.0.0");
    }
    assertThat(s.spool.depth()).isEqualTo(1);
  }

  @Test
  void aClientThatStallsInsideDataIsCutOffByTheDataTimeout() throws Exception {
    s.close();
    s =
        new RunningServer(
            java.nio.file.Files.createDirectories(dir.resolve("slow")),
            l ->
                l.timeout(Duration.ofSeconds(60))
                    .dataTimeout(Duration.ofMillis(250))
                    .messageSize(20000));
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org>", "250");
      d.expect("DATA", "354");
      d.sendRaw("From: alice@example.com\r\nSubj".getBytes(StandardCharsets.US_ASCII));
      // Nothing more is sent: the server gives up after the data timeout, not the command one.
      assertThat(d.reply()).isEqualTo("421 4.4.2 No message data for too long; closing");
    }
    assertThat(s.spool.depth()).isZero();
  }

  @ParameterizedTest(name = "{0} over {1}")
  @CsvSource({"PLAIN, starttls", "LOGIN, starttls", "PLAIN, implicit", "LOGIN, implicit"})
  void jakartaMailClientAuthenticatesAndSends(String mechanism, String tls) throws Exception {
    SMTPTransport t = connect(mechanism, tls);
    try {
      t.sendMessage(message("alice@example.com"), InternetAddress.parse("bob@example.org"));
      assertThat(t.getLastServerResponse()).startsWith("250 2.0.0 Ok: queued as");
    } finally {
      t.close();
    }
    assertThat(s.spool.depth()).isEqualTo(1);
    assertThat(s.spool.list().get(0).authUser()).isEqualTo("alice@example.com");
  }

  @Test
  void jakartaMailClientSeesTheRefusalOfASpoofedFrom() throws Exception {
    SMTPTransport t = connect("PLAIN", "starttls");
    try {
      assertThatThrownBy(
              () ->
                  t.sendMessage(message("ceo@example.com"), InternetAddress.parse("x@example.org")))
          .isInstanceOf(MessagingException.class)
          .satisfies(
              e -> {
                SMTPSendFailedException f = (SMTPSendFailedException) e;
                assertThat(f.getReturnCode()).isEqualTo(550);
                assertThat(f.getMessage()).contains("5.7.1");
              });
    } finally {
      t.close();
    }
    assertThat(s.spool.depth()).isZero();
  }

  @Test
  void jakartaMailClientWithoutTlsCannotAuthenticate() throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", String.valueOf(s.submissionPort()));
    p.put("mail.smtp.auth", "true");
    p.put("mail.smtp.starttls.enable", "false");
    p.put("mail.smtp.timeout", "10000");
    SMTPTransport t = (SMTPTransport) Session.getInstance(p).getTransport("smtp");
    // No AUTH is offered before STARTTLS, so the client connects without logging in, and the
    // server refuses to take its mail.
    t.connect("alice@example.com", RunningServer.PASSWORD);
    try {
      assertThatThrownBy(
              () ->
                  t.sendMessage(
                      message("alice@example.com"), InternetAddress.parse("bob@example.org")))
          .isInstanceOfSatisfying(
              SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(530));
    } finally {
      t.close();
    }
    assertThat(s.spool.depth()).isZero();
  }

  private SMTPTransport connect(String mechanism, String tls) throws MessagingException {
    boolean implicit = tls.equals("implicit");
    String proto = implicit ? "smtps" : "smtp";
    Properties p = new Properties();
    p.put("mail." + proto + ".host", "127.0.0.1");
    p.put(
        "mail." + proto + ".port",
        String.valueOf(implicit ? s.submissionsPort() : s.submissionPort()));
    p.put("mail." + proto + ".auth", "true");
    p.put("mail." + proto + ".auth.mechanisms", mechanism);
    p.put("mail." + proto + ".ssl.socketFactory", s.trust.getSocketFactory());
    p.put("mail." + proto + ".ssl.checkserveridentity", "false");
    p.put("mail." + proto + ".timeout", "10000");
    p.put("mail." + proto + ".localhost", "client.test");
    if (!implicit) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    }
    SMTPTransport t = (SMTPTransport) Session.getInstance(p).getTransport(proto);
    t.connect("alice@example.com", RunningServer.PASSWORD);
    return t;
  }

  private static MimeMessage message(String from) throws MessagingException {
    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
    m.setFrom(new InternetAddress(from));
    m.setRecipients(Message.RecipientType.TO, "bob@example.org");
    m.setSubject("from a real client");
    m.setText("Hello from Jakarta Mail.\n", "UTF-8");
    return m;
  }
}
