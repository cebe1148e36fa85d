// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.ScriptedSmtpPeer;
import org.mailseal.tls.ServerTls;

/**
 * The smarthost route against a scripted upstream over real TLS (certificate and name checked):
 * byte-exact delivery, connection reuse, 4xx then success, 5xx, a mixed message, and an upstream
 * that is down and then up.
 */
class SmarthostTransportTest {
  @TempDir Path dir;
  ServerTls upstreamTls;
  Path ca;
  ScriptedSmtpPeer peer;

  static final byte[] MESSAGE =
      ("DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=x; b=AAAA\r\n"
              + "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: relay\r\n\r\n"
              + ".leading dot\r\nline  with   spaces \r\n\r\n")
          .getBytes(StandardCharsets.UTF_8);

  @BeforeEach
  void start() throws Exception {
    upstreamTls =
        ServerTls.selfSigned(
            dir.resolve("tls"), "localhost", Clock.systemUTC(), new SecureRandom());
    ca = dir.resolve("tls/selfsigned.crt");
    peer = new ScriptedSmtpPeer(upstreamTls.serverSocket());
  }

  @AfterEach
  void stop() throws Exception {
    peer.close();
  }

  SmarthostTransport transport(int port) throws Exception {
    return new SmarthostTransport(
        new SmarthostTransport.Settings(
            "localhost",
            port,
            SmarthostTransport.Security.IMPLICIT,
            Optional.empty(),
            Optional.empty(),
            ClientTls.fromCaFile(ca),
            2,
            Duration.ofSeconds(5),
            "relay.example.com"));
  }

  SpoolEntry entry(Spool spool, List<String> rcpts) throws Exception {
    QueueId id =
        spool.store(
            EnvelopeDraft.submitted("alice@example.com", rcpts, "alice@example.com"),
            new ByteArrayInputStream(MESSAGE));
    return spool.entry(id).orElseThrow();
  }

  static Transport.MessageSource source(Spool spool, SpoolEntry e) {
    return () -> {
      try {
        return spool.open(e.id());
      } catch (org.mailseal.spool.SpoolException x) {
        throw new java.io.IOException(x);
      }
    };
  }

  Spool spool() throws Exception {
    return Spool.open(
        dir.resolve("spool"),
        Clock.systemUTC(),
        SpoolOptions.defaults(new SecureRandom()).withoutFsync());
  }

  @Test
  void deliversTheSpooledBytesUnchangedOverVerifiedTls() throws Exception {
    try (Spool spool = spool();
        SmarthostTransport t = transport(peer.port())) {
      SpoolEntry e = entry(spool, List.of("bob@example.org"));
      Map<String, DeliveryOutcome> out = t.deliver(e, List.of("bob@example.org"), source(spool, e));
      assertThat(out.get("bob@example.org")).isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(peer.received).hasSize(1);
      assertThat(peer.received.get(0).from()).isEqualTo("<alice@example.com>");
      assertThat(peer.received.get(0).data().getBytes(StandardCharsets.UTF_8)).isEqualTo(MESSAGE);
    }
  }

  @Test
  void aConnectionUsedMomentsAgoIsReusedWithoutANoopRoundTrip() throws Exception {
    try (Spool spool = spool();
        SmarthostTransport t = transport(peer.port())) {
      deliverEach(t, spool, 3);
      assertThat(peer.commands).noneMatch(c -> c.equalsIgnoreCase("NOOP"));
      assertThat(peer.commands.stream().filter(c -> c.startsWith("MAIL FROM:"))).hasSize(3);
      assertThat(t.connectionsOpened()).isEqualTo(1);
    }
  }

  @Test
  void aPooledConnectionTheUpstreamClosedIsReplacedAndTheMessageStillGoesAtOnce() throws Exception {
    try (Spool spool = spool();
        SmarthostTransport t = transport(peer.port())) {
      peer.closeAfterData.set(true);
      SpoolEntry first = entry(spool, List.of("bob@example.org"));
      assertThat(t.deliver(first, List.of("bob@example.org"), source(spool, first)).values())
          .allMatch(o -> o instanceof DeliveryOutcome.Delivered);
      SpoolEntry second = entry(spool, List.of("carol@example.org"));
      assertThat(t.deliver(second, List.of("carol@example.org"), source(spool, second)).values())
          .as("delivered on a new connection, not deferred")
          .allMatch(o -> o instanceof DeliveryOutcome.Delivered);
      assertThat(peer.received).hasSize(2);
      assertThat(t.connectionsOpened()).isEqualTo(2);
    }
  }

  /** Delivers {@code n} one-recipient messages one after the other; each must be Delivered. */
  private void deliverEach(SmarthostTransport t, Spool spool, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      SpoolEntry e = entry(spool, List.of("bob" + i + "@example.org"));
      assertThat(t.deliver(e, List.of("bob" + i + "@example.org"), source(spool, e)).values())
          .allMatch(o -> o instanceof DeliveryOutcome.Delivered);
    }
  }

  @Test
  void reusesOneConnectionForManyMessages() throws Exception {
    try (Spool spool = spool();
        SmarthostTransport t = transport(peer.port())) {
      deliverEach(t, spool, 5);
      assertThat(peer.received).hasSize(5);
      assertThat(t.connectionsOpened()).isEqualTo(1);
      assertThat(peer.connections.get("total")).isEqualTo(1);
    }
  }

  @Test
  void mixedRecipientsGetTheirOwnOutcomes() throws Exception {
    peer.onRcpt(
        r ->
            r.startsWith("gone")
                ? "550 5.1.1 no such user"
                : r.startsWith("full") ? "452 4.2.2 mailbox full" : "250 2.1.5 ok");
    try (Spool spool = spool();
        SmarthostTransport t = transport(peer.port())) {
      List<String> rcpts = List.of("ok@example.org", "gone@example.org", "full@example.org");
      SpoolEntry e = entry(spool, rcpts);
      Map<String, DeliveryOutcome> out = t.deliver(e, rcpts, source(spool, e));
      assertThat(out.get("ok@example.org")).isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(out.get("gone@example.org")).isInstanceOf(DeliveryOutcome.Bounced.class);
      assertThat(out.get("gone@example.org").reply()).contains("550 5.1.1");
      assertThat(out.get("full@example.org")).isInstanceOf(DeliveryOutcome.Deferred.class);
      assertThat(peer.received).hasSize(1);
      assertThat(peer.received.get(0).to()).containsExactly("ok@example.org");
    }
  }

  @Test
  void temporaryFailureIsRetriedUntilItSucceeds() throws Exception {
    peer.onData("451 4.3.0 try later");
    try (Spool spool = spool();
        SmarthostTransport t = transport(peer.port())) {
      entry(spool, List.of("bob@example.org"));
      org.mailseal.testing.MutableClock now = new org.mailseal.testing.MutableClock(spool.now());
      DeliveryWorker w =
          new DeliveryWorker(
              spool,
              t,
              RetrySchedule.defaults(new java.util.Random(1)).withJitter(0),
              now,
              new Bouncer(new RecordingSubmission(), "relay.example.com", now));
      assertThat(w.runOnce(10)).isEqualTo(1);
      assertThat(spool.depth()).isEqualTo(1);
      assertThat(spool.list().get(0).recipients().get(0).lastReply()).contains("451 4.3.0");
      peer.onData("250 2.0.0 queued");
      now.advance(Duration.ofMinutes(2));
      assertThat(w.runOnce(10)).isEqualTo(1);
      assertThat(spool.depth()).isZero();
      assertThat(peer.received).hasSize(1);
    }
  }

  @Test
  void permanentFailureEndsTheRecipient() throws Exception {
    peer.onData("554 5.7.1 rejected by policy");
    try (Spool spool = spool();
        SmarthostTransport t = transport(peer.port())) {
      SpoolEntry e = entry(spool, List.of("bob@example.org"));
      assertThat(t.deliver(e, List.of("bob@example.org"), source(spool, e)).get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Bounced.class);
    }
  }

  @Test
  void upstreamDownHoldsMessagesUntilAProbeFindsItBack() throws Exception {
    int port = peer.port();
    peer.close();
    org.mailseal.testing.MutableClock now =
        new org.mailseal.testing.MutableClock(java.time.Instant.parse("2026-11-22T10:00:00Z"));
    try (Spool spool = spool();
        SmarthostTransport t =
            new SmarthostTransport(
                new SmarthostTransport.Settings(
                    "localhost",
                    port,
                    SmarthostTransport.Security.IMPLICIT,
                    Optional.empty(),
                    Optional.empty(),
                    ClientTls.fromCaFile(ca),
                    2,
                    Duration.ofSeconds(5),
                    "relay.example.com"),
                now)) {
      Upstreams upstreams =
          new Upstreams(List.of(t), now, org.mailseal.metrics.RelayMetrics.none());
      SpoolEntry e = entry(spool, List.of("bob@example.org"));
      assertThat(t.deliver(e, List.of("bob@example.org"), source(spool, e)).get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Deferred.class);
      java.net.ServerSocket again = upstreamTls.serverSocket();
      again.setReuseAddress(true);
      peer = new ScriptedSmtpPeer(again, port);
      // Still down until the probe says otherwise: held without a connection.
      assertThat(t.deliver(e, List.of("bob@example.org"), source(spool, e)).get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Deferred.class);
      assertThat(peer.connections).isEmpty();
      now.advance(Duration.ofSeconds(15));
      upstreams.tick();
      assertThat(t.deliver(e, List.of("bob@example.org"), source(spool, e)).get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Delivered.class);
    }
  }

  @Test
  void withoutAProbeRunnerEachMessageIsTriedOnItsOwnSchedule() throws Exception {
    int port = peer.port();
    peer.close();
    try (Spool spool = spool();
        SmarthostTransport t = transport(port)) {
      SpoolEntry e = entry(spool, List.of("bob@example.org"));
      DeliveryOutcome first =
          t.deliver(e, List.of("bob@example.org"), source(spool, e)).get("bob@example.org");
      assertThat(first).isInstanceOf(DeliveryOutcome.Deferred.class);
      assertThat(first.reply()).contains("cannot reach the smarthost localhost:" + port);
      java.net.ServerSocket again = upstreamTls.serverSocket();
      again.setReuseAddress(true);
      peer = new ScriptedSmtpPeer(again, port);
      assertThat(t.deliver(e, List.of("bob@example.org"), source(spool, e)).get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(t.health().isDown()).isFalse();
    }
  }

  @Test
  void untrustedCertificateIsDeferredNotSentInClear() throws Exception {
    Path other = dir.resolve("other");
    ServerTls.selfSigned(other, "localhost", Clock.systemUTC(), new SecureRandom());
    try (Spool spool = spool();
        SmarthostTransport t =
            new SmarthostTransport(
                new SmarthostTransport.Settings(
                    "localhost",
                    peer.port(),
                    SmarthostTransport.Security.IMPLICIT,
                    Optional.empty(),
                    Optional.empty(),
                    ClientTls.fromCaFile(other.resolve("selfsigned.crt")),
                    1,
                    Duration.ofSeconds(5),
                    "relay.example.com"))) {
      SpoolEntry e = entry(spool, List.of("bob@example.org"));
      assertThat(t.deliver(e, List.of("bob@example.org"), source(spool, e)).get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Deferred.class);
      assertThat(peer.received).isEmpty();
    }
  }
}
