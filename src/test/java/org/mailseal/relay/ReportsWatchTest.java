// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.testing.Waits.await;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.activation.DataHandler;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.reports.FileReportStore;

/** The running relay's reports: the mailbox fetched on schedule, volumes on /metrics. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReportsWatchTest {
  @TempDir Path dir;
  GreenMail greenMail;
  GreenMailUser user;
  ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void start() {
    greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
    greenMail.start();
    user = greenMail.setUser("dmarc@example.com", "dmarc", "pw");
  }

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
    greenMail.stop();
  }

  /** A report of yesterday: 90 aligned messages from the relay, 10 failing from elsewhere. */
  private void deliverReport(Instant begin) throws Exception {
    long b = begin.getEpochSecond();
    String xml =
        "<feedback><report_metadata><org_name>receiver.example</org_name><report_id>r1"
            + "</report_id><date_range><begin>"
            + b
            + "</begin><end>"
            + (b + 86_399)
            + "</end></date_range></report_metadata><policy_published><domain>example.com"
            + "</domain><p>none</p></policy_published>"
            + "<record><row><source_ip>192.0.2.25</source_ip><count>90</count></row>"
            + "<identifiers><header_from>example.com</header_from></identifiers><auth_results>"
            + "<dkim><domain>example.com</domain><selector>s1</selector><result>pass</result>"
            + "</dkim></auth_results></record>"
            + "<record><row><source_ip>203.0.113.66</source_ip><count>10</count></row>"
            + "<identifiers><header_from>example.com</header_from></identifiers><auth_results>"
            + "<spf><domain>example.com</domain><result>fail</result></spf></auth_results>"
            + "</record></feedback>";
    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
    m.setFrom("noreply@receiver.example");
    m.setSubject("Report domain: example.com");
    MimeBodyPart report = new MimeBodyPart();
    report.setDataHandler(
        new DataHandler(new ByteArrayDataSource(xml.getBytes(StandardCharsets.UTF_8), "text/xml")));
    report.setFileName("report.xml");
    m.setContent(new MimeMultipart(report));
    m.saveChanges();
    user.deliver(m);
  }

  @Test
  void theMailboxIsFetchedOnScheduleAndItsVolumesExported() throws Exception {
    Files.writeString(dir.resolve("pw"), "pw");
    Path yaml = dir.resolve("mailseal.yaml");
    Files.writeString(
        yaml,
        String.join(
            "\n",
            "dmarc:",
            "  reports:",
            "    directory: " + dir.resolve("reports"),
            "    imap:",
            "      host: 127.0.0.1",
            "      port: " + greenMail.getImap().getPort(),
            "      tls: none",
            "      username: dmarc",
            "      password-file: " + dir.resolve("pw"),
            "      interval: 1h",
            "domains:",
            "  example.com: {}",
            ""));
    MailsealConfig config = ConfigLoader.load(yaml);
    Clock clock = Clock.systemUTC();
    deliverReport(clock.instant().minusSeconds(86_400));
    ReportsWatch watch =
        ReportsWatch.build(config, null, new FileKeyStore(dir.resolve("keys"), clock), clock);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RelayMetrics metrics = new RelayMetrics(registry);

    watch.start(scheduler, metrics);

    await("the first fetch to count the report")
        .until(
            () ->
                watch
                    .volumes()
                    .equals(List.of(new RelayMetrics.DmarcVolume("example.com", 90, 10))));
    metrics.refresh();
    assertThat(
            registry
                .get("mailseal.dmarc.messages")
                .tags("domain", "example.com", "alignment", "unaligned")
                .gauge()
                .value())
        .isEqualTo(10.0);
    assertThat(watch.store().domains()).containsExactly("example.com");
  }

  @Test
  void withoutAMailboxTheStoreIsStillCounted() throws Exception {
    Path yaml = dir.resolve("mailseal.yaml");
    Files.writeString(
        yaml,
        "dmarc:\n  reports:\n    directory: "
            + dir.resolve("r")
            + "\ndomains:\n  example.com: {}\n");
    Clock clock = Clock.systemUTC();
    ReportsWatch watch =
        ReportsWatch.build(
            ConfigLoader.load(yaml), null, new FileKeyStore(dir.resolve("keys"), clock), clock);
    watch.run();
    assertThat(watch.volumes()).isEmpty();
    assertThat(watch.store()).isInstanceOf(FileReportStore.class);
  }
}
