// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.activation.DataHandler;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailseal dmarc fetch} against a real IMAP server (GreenMail on loopback), configured as an
 * owner would: the reports mailed to the rua= mailbox are fetched once, moved, and appear in {@code
 * mailseal dmarc report}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DmarcFetchCommandTest {
  @TempDir Path dir;
  GreenMail greenMail;
  GreenMailUser user;
  Path config;

  @BeforeEach
  void start() throws Exception {
    greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
    greenMail.start();
    user = greenMail.setUser("dmarc-reports@example.com", "dmarc-reports", "imap-pass");
    Files.writeString(dir.resolve("imap.password"), "imap-pass\n");
    config = dir.resolve("mailseal.yaml");
    Files.writeString(
        config,
        "keys:\n  directory: "
            + dir.resolve("keys")
            + "\ndmarc:\n  reports:\n    directory: "
            + dir.resolve("reports")
            + "\n    imap:\n      host: 127.0.0.1\n      port: "
            + greenMail.getImap().getPort()
            + "\n      tls: none\n      username: dmarc-reports\n      password-file: "
            + dir.resolve("imap.password")
            + "\n      after-read: move:Done\n"
            + "domains:\n  example.com:\n    dmarc:\n      rua: [\"mailto:dmarc-reports@example.com\"]\n");
  }

  @AfterEach
  void stop() {
    greenMail.stop();
  }

  private void deliver(int day) throws Exception {
    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
    m.setFrom("noreply-dmarc-support@receiver.example");
    m.setRecipients(Message.RecipientType.TO, "dmarc-reports@example.com");
    m.setSubject("Report domain: example.com Submitter: receiver.example Report-ID: day-" + day);
    MimeBodyPart text = new MimeBodyPart();
    text.setText("Aggregate report attached.");
    MimeBodyPart report = new MimeBodyPart();
    String xml =
        DmarcReportsEndToEndTest.reportXml(
            day, new DmarcReportsEndToEndTest.Seen("example.com", "s20261101r", "pass"), true);
    report.setDataHandler(
        new DataHandler(new ByteArrayDataSource(xml.getBytes(StandardCharsets.UTF_8), "text/xml")));
    report.setFileName("receiver.example!example.com!day" + day + ".xml");
    m.setContent(new MimeMultipart(text, report));
    m.saveChanges();
    user.deliver(m);
  }

  private int count(String folder) throws Exception {
    Store s = Session.getInstance(new Properties()).getStore("imap");
    s.connect("127.0.0.1", greenMail.getImap().getPort(), "dmarc-reports", "imap-pass");
    try {
      Folder f = s.getFolder(folder);
      if (!f.exists()) {
        return -1;
      }
      f.open(Folder.READ_ONLY);
      int n = f.getMessageCount();
      f.close(false);
      return n;
    } finally {
      s.close();
    }
  }

  @Test
  void fetchedReportsAreMovedAndAppearInTheReport() throws Exception {
    deliver(0);
    deliver(1);

    SignVerifyCommandTest.Run fetch =
        SignVerifyCommandTest.run("dmarc", "fetch", "--config", config.toString());
    assertThat(fetch.err()).isEmpty();
    assertThat(fetch.code()).isZero();
    assertThat(fetch.out())
        .isEqualTo("2 messages read: 2 reports added, 0 already known, 0 set aside\n");
    assertThat(count("INBOX")).isZero();
    assertThat(count("Done")).isEqualTo(2);

    SignVerifyCommandTest.Run again =
        SignVerifyCommandTest.run("dmarc", "fetch", "--config", config.toString());
    assertThat(again.out())
        .isEqualTo("0 messages read: 0 reports added, 0 already known, 0 set aside\n");

    SignVerifyCommandTest.Run report =
        SignVerifyCommandTest.run(
            "dmarc",
            "report",
            "--domain",
            "example.com",
            "--days",
            "3650",
            "--no-dns",
            "--config",
            config.toString());
    assertThat(report.code()).isZero();
    assertThat(report.out())
        .contains(": 2 reports, 1080 messages,")
        .contains("203.0.113.66", "192.0.2.25", "198.51.100.7")
        .contains("unaligned (likely forged)");
  }

  @Test
  void withoutAMailboxFetchSaysWhatToConfigure() throws Exception {
    Path bare = dir.resolve("bare.yaml");
    Files.writeString(bare, "domains:\n  example.com: {}\n");
    SignVerifyCommandTest.Run r =
        SignVerifyCommandTest.run("dmarc", "fetch", "--config", bare.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "mailseal: no mailbox to fetch from: add dmarc.reports.imap to the configuration\n");
  }
}
