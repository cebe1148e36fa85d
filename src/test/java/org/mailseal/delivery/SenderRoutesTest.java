// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.MutableClock;

/**
 * Two signing domains, two smarthosts with different accounts: each message leaves through the
 * smarthost its envelope sender maps to, authenticated as that smarthost's user. Each GreenMail
 * knows only its own account, so a message that arrives was authenticated as that account.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SenderRoutesTest {
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
  GreenMail owner;
  GreenMail desk;

  @BeforeEach
  void start() {
    GreenMailTls.configure();
    owner = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS));
    owner.setUser("owner@example.com", "owner@example.com", "owner-app-password");
    owner.start();
    desk = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS));
    desk.setUser("help@example.org", "help@example.org", "desk-app-password");
    desk.start();
  }

  @AfterEach
  void stop() {
    owner.stop();
    desk.stop();
  }

  MailsealConfig config() throws Exception {
    Files.writeString(dir.resolve("owner-password"), "owner-app-password\n");
    Files.writeString(dir.resolve("desk-password"), "desk-app-password\n");
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(
        file,
        "delivery:\n"
            + "  route: smarthost\n"
            + "  smarthost:\n"
            + "    host: localhost\n"
            + "    port: "
            + owner.getSmtps().getPort()
            + "\n    tls: implicit\n"
            + "    username: owner@example.com\n"
            + "    password-file: "
            + dir.resolve("owner-password")
            + "\n    ca-file: "
            + GreenMailTls.CA
            + "\n  smarthosts:\n"
            + "    desk:\n"
            + "      host: localhost\n"
            + "      port: "
            + desk.getSmtps().getPort()
            + "\n      tls: implicit\n"
            + "      username: help@example.org\n"
            + "      password-file: "
            + dir.resolve("desk-password")
            + "\n      ca-file: "
            + GreenMailTls.CA
            + "\n      pool-size: 1\n"
            + "  sender-routes:\n"
            + "    example.org: desk\n"
            + "    owner@example.org: default\n"
            + "domains:\n  example.com: {}\n  example.org: {}\n");
    return ConfigLoader.load(file);
  }

  @Test
  void eachMessageLeavesThroughItsSendersSmarthostAsThatSmarthostsUser() throws Exception {
    try (Spool spool =
            Spool.open(
                dir.resolve("spool"),
                clock,
                SpoolOptions.defaults(new SecureRandom()).withoutFsync());
        ConfiguredSmarthosts smarthosts =
            ConfiguredSmarthosts.build(
                config().delivery(), "relay.example.com", clock, RelayMetrics.none())) {
      List<String> senders =
          List.of(
              "alice@example.com",
              "help@example.org",
              "bob@mail.example.org",
              "owner@example.org",
              "carol@example.com",
              "sales@example.org");
      for (String s : senders) {
        spool.store(
            EnvelopeDraft.submitted(s, List.of("rcpt@example.net"), s),
            new ByteArrayInputStream(
                ("From: " + s + "\r\nSubject: from " + s + "\r\n\r\nx\r\n")
                    .getBytes(StandardCharsets.UTF_8)));
      }
      DeliveryWorker w =
          new DeliveryWorker(
              spool,
              smarthosts.transport(),
              RetrySchedule.defaults(new Random(1)).withJitter(0),
              clock,
              new Bouncer(new RecordingSubmission(), "relay.example.com", clock));
      assertThat(w.runOnce(100)).isEqualTo(senders.size());
      assertThat(spool.depth()).isZero();
      assertThat(subjects(owner))
          .containsExactlyInAnyOrder(
              "from alice@example.com", "from owner@example.org", "from carol@example.com");
      assertThat(subjects(desk))
          .containsExactlyInAnyOrder(
              "from help@example.org", "from bob@mail.example.org", "from sales@example.org");
      assertThat(smarthosts.byName().keySet()).containsExactly("default", "desk");
    }
  }

  @Test
  void theMostSpecificSenderRouteWins() {
    RoutingTransportTest.Recording fallback = new RoutingTransportTest.Recording("fallback");
    RoutingTransportTest.Recording domain = new RoutingTransportTest.Recording("domain");
    RoutingTransportTest.Recording address = new RoutingTransportTest.Recording("address");
    SenderRoutingTransport t =
        new SenderRoutingTransport(
            fallback, Map.of("example.org", domain, "help@example.org", address));
    assertThat(t.route("Help@Example.ORG")).isSameAs(address);
    assertThat(t.route("sales@example.org")).isSameAs(domain);
    assertThat(t.route("x@eu.mail.example.org")).isSameAs(domain);
    assertThat(t.route("x@example.org.evil.test")).isSameAs(fallback);
    assertThat(t.route("x@notexample.org")).isSameAs(fallback);
    assertThat(t.route("")).isSameAs(fallback); // the null sender of a DSN
  }

  @Test
  void aRecipientRouteToMxOrFileWinsOverTheSendersSmarthost() {
    RoutingTransportTest.Recording mx = new RoutingTransportTest.Recording("mx");
    RoutingTransportTest.Recording desk = new RoutingTransportTest.Recording("desk");
    RoutingTransportTest.Recording owner = new RoutingTransportTest.Recording("owner");
    Transport smarthost = new SenderRoutingTransport(owner, Map.of("example.org", desk));
    RoutingTransport t = new RoutingTransport(smarthost, Map.of("partner.test", mx));
    List<String> rcpts = List.of("a@partner.test", "b@example.net");
    org.mailseal.spool.SpoolEntry e =
        new org.mailseal.spool.SpoolEntry(
            org.mailseal.spool.QueueId.next(Instant.EPOCH, new Random(1)),
            "help@example.org",
            rcpts.stream().map(org.mailseal.spool.Recipient::pending).toList(),
            "help",
            false,
            Instant.EPOCH,
            0,
            Instant.EPOCH,
            1);
    Map<String, DeliveryOutcome> out = t.deliver(e, rcpts, () -> null);
    assertThat(out.get("a@partner.test").reply()).isEqualTo("via mx");
    assertThat(out.get("b@example.net").reply()).isEqualTo("via desk");
  }

  static List<String> subjects(GreenMail g) {
    return Arrays.stream(g.getReceivedMessages())
        .map(
            m -> {
              try {
                return ((MimeMessage) m).getSubject();
              } catch (jakarta.mail.MessagingException x) {
                throw new IllegalStateException(x);
              }
            })
        .toList();
  }
}
