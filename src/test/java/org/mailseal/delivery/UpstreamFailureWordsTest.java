// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.MutableClock;
import org.mailseal.testing.ScriptedSmtpPeer;
import org.mailseal.tls.ServerTls;
import org.slf4j.LoggerFactory;

/**
 * A wrong smarthost password and an untrusted smarthost certificate are each reported once, in one
 * line that says what to do, however many messages wait.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamFailureWordsTest {
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger health = (Logger) LoggerFactory.getLogger(UpstreamHealth.class);
  Spool spool;

  @BeforeEach
  void start() throws Exception {
    spool =
        Spool.open(
            dir.resolve("spool"), clock, SpoolOptions.defaults(new SecureRandom()).withoutFsync());
    logs.start();
    health.addAppender(logs);
  }

  @AfterEach
  void stop() {
    health.detachAppender(logs);
    spool.close();
  }

  /** Queues {@code n} messages and runs the worker, then a few minutes of probes. */
  void deliverAndProbe(SmarthostTransport t, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      spool.store(
          EnvelopeDraft.submitted("alice@example.com", List.of("bob@example.org"), "alice"),
          new ByteArrayInputStream(
              "From: a@example.com\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8)));
    }
    DeliveryWorker w =
        new DeliveryWorker(
            spool,
            t,
            RetrySchedule.defaults(new Random(1)).withJitter(0),
            clock,
            new Bouncer(new RecordingSubmission(), "relay.example.com", clock));
    Upstreams upstreams =
        new Upstreams(List.of(t), clock, org.mailseal.metrics.RelayMetrics.none());
    assertThat(w.runOnce(100)).isEqualTo(n);
    for (int s = 0; s < 120; s++) {
      clock.advance(Duration.ofSeconds(1));
      upstreams.tick();
      w.runOnce(100);
    }
    assertThat(spool.depth()).isEqualTo(n);
  }

  List<String> errors() {
    return logs.list.stream()
        .filter(e -> e.getLevel() == Level.ERROR)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void wrongPasswordIsReportedOnceNamingTheUserAndThePasswordFile() throws Exception {
    GreenMailTls.configure();
    GreenMail greenMail =
        new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS));
    greenMail.setUser("relay@example.com", "relay@example.com", "app-password");
    greenMail.start();
    try (SmarthostTransport t =
        new SmarthostTransport(
            new SmarthostTransport.Settings(
                "isp",
                "localhost",
                greenMail.getSmtps().getPort(),
                SmarthostTransport.Security.IMPLICIT,
                new SmarthostCredentials.Password(
                    "relay@example.com",
                    () -> "wrong",
                    "password-file /etc/mailseal/smarthost-password"),
                CheckedTls.fromCaFile(GreenMailTls.CA),
                2,
                Duration.ofSeconds(10),
                "relay.example.com"),
            clock)) {
      deliverAndProbe(t, 10);
      assertThat(errors())
          .containsExactly(
              "upstream failing upstream=isp class=auth: the smarthost localhost refused the"
                  + " password for user relay@example.com: check password-file"
                  + " /etc/mailseal/smarthost-password (delivery.smarthosts.isp)");
      assertThat(greenMail.getReceivedMessages()).isEmpty();
    } finally {
      greenMail.stop();
    }
  }

  @Test
  void untrustedCertificateIsReportedOnceNamingIssuerNamesAndCaFile() throws Exception {
    ServerTls upstream =
        ServerTls.selfSigned(
            dir.resolve("tls"), "localhost", Clock.systemUTC(), new SecureRandom());
    try (ScriptedSmtpPeer peer = new ScriptedSmtpPeer(upstream.serverSocket());
        SmarthostTransport t =
            new SmarthostTransport(
                new SmarthostTransport.Settings(
                    SmarthostTransport.DEFAULT_NAME,
                    "localhost",
                    peer.port(),
                    SmarthostTransport.Security.IMPLICIT,
                    new SmarthostCredentials.None(),
                    CheckedTls.systemTrust(),
                    2,
                    Duration.ofSeconds(5),
                    "relay.example.com"),
                clock)) {
      deliverAndProbe(t, 10);
      assertThat(errors()).hasSize(1);
      assertThat(errors().get(0))
          .isEqualTo(
              "upstream failing upstream=default class=tls: the certificate of localhost is not"
                  + " trusted by this machine (issued by CN=localhost, names: localhost): add its"
                  + " CA with ca-file in delivery.smarthost")
          .doesNotContain("PKIX");
      assertThat(peer.received).isEmpty();
    }
  }
}
