// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.user.GreenMailUser;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.MailsealConfig;
import org.mailseal.config.SecretRef;

/**
 * Reports delivered to a real IMAP server (GreenMail on loopback, {@link NoDelayGreenMail}) are
 * fetched once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ImapFetcherTest {
  static final Clock NOW = Clock.fixed(Instant.parse("2025-12-04T06:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  NoDelayGreenMail greenMail;
  GreenMailUser user;
  FileReportStore store;
  Path password;

  @BeforeEach
  void start() throws Exception {
    greenMail = new NoDelayGreenMail();
    greenMail.start();
    user = greenMail.setUser("dmarc@example.com", "dmarc", "s3cret-pass");
    store = new FileReportStore(dir.resolve("reports"));
    password = dir.resolve("imap-password");
    Files.writeString(password, "s3cret-pass\n");
  }

  @AfterEach
  void stop() {
    greenMail.stop();
  }

  private MailsealConfig.Imap imap(String afterRead, String moveTo, SecretRef secret) {
    MailsealConfig.AfterRead after =
        MailsealConfig.AfterRead.valueOf(afterRead.toUpperCase(java.util.Locale.ROOT));
    return new MailsealConfig.Imap(
        "127.0.0.1",
        greenMail.port(),
        MailsealConfig.ImapTls.NONE,
        "dmarc",
        secret,
        "INBOX",
        after,
        moveTo,
        Optional.empty(),
        Duration.ofHours(1));
  }

  private ImapFetcher fetcher(MailsealConfig.Imap imap) {
    ReportImporter importer =
        new ReportImporter(new ReportReader(new ReportParser(ReportLimits.DEFAULT)), store);
    return new ImapFetcher(
        imap,
        (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault(),
        importer,
        ReportLimits.DEFAULT.maxInputBytes());
  }

  private void deliver(byte[] mail) throws Exception {
    user.deliver(
        new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(mail)));
  }

  private void deliverReports() throws Exception {
    deliver(
        ReportReaderTest.mail(
            "application/gzip",
            "receiver.example!example.com!1764633600!1764719999.xml.gz",
            ReportReaderTest.gzip(ReportReaderTest.bytes("rfc7489-several-records.xml"))));
    deliver(
        ReportReaderTest.mail(
            "application/zip",
            "bis.example!example.com.zip",
            ReportReaderTest.zip(new String[] {"r.xml"}, ReportReaderTest.bytes("dmarcbis.xml"))));
  }

  /** Counts of (all, unseen) messages in a folder, as a mail client sees them. */
  private int[] folder(String name) throws Exception {
    Store s = Session.getInstance(new Properties()).getStore("imap");
    s.connect("127.0.0.1", greenMail.port(), "dmarc", "s3cret-pass");
    try {
      Folder f = s.getFolder(name);
      if (!f.exists()) {
        return new int[] {-1, -1};
      }
      f.open(Folder.READ_ONLY);
      int[] counts = {
        f.getMessageCount(),
        f.search(new jakarta.mail.search.FlagTerm(new Flags(Flags.Flag.SEEN), false)).length
      };
      f.close(false);
      return counts;
    } finally {
      s.close();
    }
  }

  private DomainReport report() throws Exception {
    DomainFacts facts =
        new DomainFacts(
            "example.com",
            Alignment.RELAXED,
            Alignment.RELAXED,
            Set.of("s20261122r"),
            Set.of(),
            RampPolicy.DEFAULT);
    return new ReportHistory(store, new ReportAnalyzer(SourceLookup.NONE), d -> facts, NOW)
        .report("example.com", Duration.ofDays(30));
  }

  @Test
  void reportsInTheMailboxAreFetchedOnceMarkedSeenAndAppearInTheReport() throws Exception {
    deliverReports();
    ImapFetcher f = fetcher(imap("mark", "", new SecretRef(null, password)));

    ImapFetcher.FetchSummary first = f.fetchOnce();
    assertThat(first.messages()).isEqualTo(2);
    assertThat(first.imported().added()).isEqualTo(2);
    assertThat(first.line())
        .isEqualTo("2 messages read: 2 reports added, 0 already known, 0 set aside");
    assertThat(folder("INBOX")).containsExactly(2, 0);

    assertThat(f.fetchOnce().messages()).isZero();
    DomainReport r = report();
    assertThat(r.reports()).isEqualTo(2);
    assertThat(r.sources())
        .extracting(SourceReport::ip)
        .contains("192.0.2.25", "203.0.113.80", "2001:db8:0:0:0:0:0:17");
    assertThat(ReportText.table(r)).contains("192.0.2.25", "this relay: DKIM selector s20261122r");
  }

  @Test
  void moveTakesReadMessagesToTheGivenFolder() throws Exception {
    deliverReports();
    ImapFetcher f = fetcher(imap("move", "DMARC/Done", new SecretRef(null, password)));
    assertThat(f.fetchOnce().messages()).isEqualTo(2);
    assertThat(folder("INBOX")).containsExactly(0, 0);
    assertThat(folder("DMARC/Done")[0]).isEqualTo(2);
    assertThat(f.fetchOnce().messages()).isZero();
  }

  @Test
  void aMessageWithoutAReportIsSetAsideAndStillMarked() throws Exception {
    deliver("From: someone@example.org\r\nSubject: hi\r\n\r\nhello\r\n".getBytes());
    ImapFetcher.FetchSummary s =
        fetcher(imap("mark", "", new SecretRef(null, password))).fetchOnce();
    assertThat(s.messages()).isEqualTo(1);
    assertThat(s.imported().setAside())
        .singleElement()
        .satisfies(a -> assertThat(a.reason()).isEqualTo("e-mail without a report attached"));
    assertThat(folder("INBOX")).containsExactly(1, 0);
  }

  @Test
  void theSameReportMailedTwiceIsStoredOnce() throws Exception {
    deliverReports();
    deliverReports();
    ImapFetcher.FetchSummary s =
        fetcher(imap("mark", "", new SecretRef(null, password))).fetchOnce();
    assertThat(s.messages()).isEqualTo(4);
    assertThat(s.imported().added()).isEqualTo(2);
    assertThat(s.imported().duplicates()).isEqualTo(2);
  }

  @Test
  void aWrongPasswordIsAOneLineErrorThatLeavesTheMailboxAlone() throws Exception {
    deliverReports();
    Files.writeString(password, "wrong");
    assertThatThrownBy(() -> fetcher(imap("mark", "", new SecretRef(null, password))).fetchOnce())
        .isInstanceOf(ReportFetchException.class)
        .hasMessageStartingWith("cannot log in to 127.0.0.1:" + greenMail.port() + " as dmarc: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong"));
    assertThat(folder("INBOX")).containsExactly(2, 2);
  }
}
