// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolOptions;

/**
 * GreenMail as the smarthost, with AUTH over implicit TLS and a certificate the transport checks
 * (GreenMail is given a key store made for "localhost").
 */
class GreenMailSmarthostTest {
  @TempDir Path dir;
  GreenMail greenMail;

  static Path ca = GreenMailTls.CA;

  @BeforeEach
  void start() throws Exception {
    // GreenMail reads its TLS key store from system properties only.
    GreenMailTls.configure();
    greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS));
    greenMail.setUser("relay@example.com", "relay@example.com", "app-password");
    greenMail.start();
  }

  @AfterEach
  void stop() {
    greenMail.stop();
    System.clearProperty("greenmail.tls.keystore.file");
    System.clearProperty("greenmail.tls.keystore.password");
  }

  SmarthostTransport transport(String password) throws Exception {
    return new SmarthostTransport(
        new SmarthostTransport.Settings(
            "localhost",
            greenMail.getSmtps().getPort(),
            SmarthostTransport.Security.IMPLICIT,
            Optional.of("relay@example.com"),
            Optional.of(password),
            ClientTls.fromCaFile(ca),
            2,
            Duration.ofSeconds(10),
            "relay.example.com"));
  }

  @Test
  void authenticatedImplicitTlsDeliveryReachesGreenMailUnchanged() throws Exception {
    byte[] message =
        ("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; b=AAAA\r\n"
                + "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: via GreenMail\r\n\r\n"
                + "body\r\n")
            .getBytes(StandardCharsets.UTF_8);
    try (Spool spool =
            Spool.open(
                dir.resolve("spool"),
                Clock.systemUTC(),
                SpoolOptions.defaults(new SecureRandom()).withoutFsync());
        SmarthostTransport t = transport("app-password")) {
      QueueId id =
          spool.store(
              EnvelopeDraft.submitted("alice@example.com", List.of("bob@example.org"), "alice"),
              new ByteArrayInputStream(message));
      SpoolEntry e = spool.entry(id).orElseThrow();
      assertThat(
              t.deliver(e, List.of("bob@example.org"), SmarthostTransportTest.source(spool, e))
                  .get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(greenMail.waitForIncomingEmail(5000, 1)).isTrue();
      MimeMessage got = greenMail.getReceivedMessages()[0];
      assertThat(got.getHeader("DKIM-Signature")[0]).contains("d=example.com");
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      got.writeTo(raw);
      assertThat(raw.toString(StandardCharsets.UTF_8))
          .contains("Subject: via GreenMail")
          .contains("body");
    }
  }

  @Test
  void wrongSmarthostPasswordDefersInsteadOfLosingMail() throws Exception {
    try (Spool spool =
            Spool.open(
                dir.resolve("spool"),
                Clock.systemUTC(),
                SpoolOptions.defaults(new SecureRandom()).withoutFsync());
        SmarthostTransport t = transport("wrong")) {
      QueueId id =
          spool.store(
              EnvelopeDraft.submitted("alice@example.com", List.of("bob@example.org"), "alice"),
              new ByteArrayInputStream(
                  "From: a@example.com\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8)));
      SpoolEntry e = spool.entry(id).orElseThrow();
      assertThat(
              t.deliver(e, List.of("bob@example.org"), SmarthostTransportTest.source(spool, e))
                  .get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Deferred.class);
      assertThat(greenMail.getReceivedMessages()).isEmpty();
    }
  }

  @Test
  void plainSmarthostOnTheLanTakesMailWithoutTlsOrAuth() throws Exception {
    GreenMail plain = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    plain.start();
    try (Spool spool =
            Spool.open(
                dir.resolve("spool"),
                Clock.systemUTC(),
                SpoolOptions.defaults(new SecureRandom()).withoutFsync());
        SmarthostTransport t =
            new SmarthostTransport(
                new SmarthostTransport.Settings(
                    "127.0.0.1",
                    plain.getSmtp().getPort(),
                    SmarthostTransport.Security.NONE,
                    Optional.empty(),
                    Optional.empty(),
                    ClientTls.fromCaFile(ca),
                    1,
                    Duration.ofSeconds(10),
                    "relay.example.com"))) {
      QueueId id =
          spool.store(
              EnvelopeDraft.submitted("alice@example.com", List.of("bob@example.org"), "alice"),
              new ByteArrayInputStream(
                  "From: a@example.com\r\nSubject: lan\r\n\r\nx\r\n"
                      .getBytes(StandardCharsets.UTF_8)));
      SpoolEntry e = spool.entry(id).orElseThrow();
      assertThat(
              t.deliver(e, List.of("bob@example.org"), SmarthostTransportTest.source(spool, e))
                  .get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(plain.waitForIncomingEmail(5000, 1)).isTrue();
      assertThat(plain.getReceivedMessages()[0].getSubject()).isEqualTo("lan");
    } finally {
      plain.stop();
    }
  }

  @Test
  void plainSmarthostRefusesToCarryAPassword() {
    assertThatThrownBy(
            () ->
                new SmarthostTransport(
                    new SmarthostTransport.Settings(
                        "127.0.0.1",
                        25,
                        SmarthostTransport.Security.NONE,
                        Optional.of("relay@example.com"),
                        Optional.of("secret"),
                        ClientTls.systemTrust(),
                        1,
                        Duration.ofSeconds(10),
                        "relay.example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs TLS");
  }
}
