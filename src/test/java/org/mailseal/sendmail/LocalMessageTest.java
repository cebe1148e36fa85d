// SPDX-License-Identifier: Apache-2.0
package org.mailseal.sendmail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LocalMessageTest {
  /** What Debian's cron writes to sendmail's standard input for a job's output. */
  static final String CRON_MAIL =
      "From: root (Cron Daemon)\n"
          + "To: root\n"
          + "Subject: Cron <root@host> echo hello\n"
          + "MIME-Version: 1.0\n"
          + "Content-Type: text/plain; charset=UTF-8\n"
          + "Content-Transfer-Encoding: 8bit\n"
          + "X-Cron-Env: <SHELL=/bin/sh>\n"
          + "X-Cron-Env: <HOME=/root>\n"
          + "\n"
          + "hello\n"
          + ".\n"
          + "after a lone dot\n";

  static LocalMessage read(String text, String... args) throws Exception {
    return LocalMessage.read(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        SendmailArgs.parse(List.of(args)),
        "root",
        "example.com");
  }

  @Test
  void cronsMailGetsTheOriginDomainInEnvelopeAndFromAndKeepsItsBody() throws Exception {
    LocalMessage m = read(CRON_MAIL, "-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root");
    assertThat(m.sender()).isEqualTo("root@example.com");
    assertThat(m.recipients()).containsExactly("root@example.com");
    String text = new String(m.bytes(), StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith("From: root@example.com (Cron Daemon)\r\nTo: root\r\n")
        .contains("\r\n\r\nhello\r\n.\r\nafter a lone dot\r\n")
        .doesNotContain("\n\n");
  }

  @Test
  void withoutDashIALoneDotEndsTheMessage() throws Exception {
    LocalMessage m = read(CRON_MAIL, "root");
    assertThat(new String(m.bytes(), StandardCharsets.UTF_8))
        .endsWith("\r\n\r\nhello\r\n")
        .doesNotContain("after a lone dot");
  }

  @Test
  void dashTReadsToCcAndBccAndDropsBcc() throws Exception {
    LocalMessage m =
        read(
            "From: \"Ops\" <ops@example.com>\nTo: a@example.org, \"B, Jr.\" <b@example.org>\n"
                + "Cc: team: c@example.org;\nBcc: audit\nSubject: x\n\nbody\n",
            "-t",
            "-f",
            "ops@example.com",
            "extra@example.net");
    assertThat(m.sender()).isEqualTo("ops@example.com");
    assertThat(m.recipients())
        .containsExactly(
            "a@example.org",
            "b@example.org",
            "c@example.org",
            "audit@example.com",
            "extra@example.net");
    assertThat(new String(m.bytes(), StandardCharsets.UTF_8))
        .doesNotContain("Bcc")
        .startsWith("From: \"Ops\" <ops@example.com>\r\n");
  }

  @Test
  void aMessageWithoutFromGetsOneWithTheFullName() throws Exception {
    LocalMessage m = read("Subject: disk full\n\n/var is at 99%\n", "-F", "Disk Watch", "admin");
    assertThat(new String(m.bytes(), StandardCharsets.UTF_8))
        .startsWith("From: \"Disk Watch\" <root@example.com>\r\nSubject: disk full\r\n");
  }

  @Test
  void angleFromWithABareNameIsQualified() {
    assertThat(LocalMessage.qualifyField("Backup Job <backup>", "example.com"))
        .isEqualTo("Backup Job <backup@example.com>");
    assertThat(LocalMessage.qualifyField("x@example.org (X)", "example.com"))
        .isEqualTo("x@example.org (X)");
  }

  @Test
  void noRecipientIsAUsageError() {
    assertThatThrownBy(() -> read("Subject: x\n\nbody\n", "-t"))
        .isInstanceOfSatisfying(
            SendmailException.class, e -> assertThat(e.exitCode()).isEqualTo(64));
  }

  @Test
  void dotStuffingDoublesALeadingDot() {
    assertThat(
            new String(
                TrustedSubmission.dotStuffed(".a\r\nb\r\n..c\r\n".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8))
        .isEqualTo("..a\r\nb\r\n...c\r\n");
  }
}
