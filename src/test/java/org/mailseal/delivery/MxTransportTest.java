// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.FakeDnsLookup;
import org.mailseal.testing.ScriptedSmtpPeer;
import org.mailseal.tls.ServerTls;

/**
 * Direct MX delivery over real sockets: scripted MX hosts listen on 127.0.0.1 and 127.0.0.2 at one
 * port (the transport's "port 25"), and {@link FakeDnsLookup} points the recipient domains at them;
 * 127.0.0.3 has nothing listening (a host that is down).
 */
class MxTransportTest {
  static final String DOWN = "127.0.0.3";

  @TempDir Path dir;
  ScriptedSmtpPeer first;
  ScriptedSmtpPeer second;
  FakeDnsLookup dns = new FakeDnsLookup();
  Spool spool;

  @BeforeEach
  void start() throws Exception {
    first = new ScriptedSmtpPeer(new ServerSocket(), InetAddress.getByName("127.0.0.1"), 0);
    second =
        new ScriptedSmtpPeer(new ServerSocket(), InetAddress.getByName("127.0.0.2"), first.port());
    spool =
        Spool.open(
            dir.resolve("spool"),
            Clock.systemUTC(),
            SpoolOptions.defaults(new SecureRandom()).withoutFsync());
  }

  @AfterEach
  void stop() throws Exception {
    first.close();
    second.close();
    spool.close();
  }

  MxTransport transport() {
    return new MxTransport(
        new MxTransport.Settings(
            first.port(),
            Optional.empty(),
            Optional.empty(),
            2,
            Duration.ofSeconds(5),
            "relay.example.com",
            ClientTls.unverified()),
        dns,
        new Random(7),
        Clock.systemUTC());
  }

  SpoolEntry entry(String... rcpts) throws Exception {
    QueueId id =
        spool.store(
            EnvelopeDraft.submitted("alice@example.com", List.of(rcpts), "alice@example.com"),
            new ByteArrayInputStream(SmarthostTransportTest.MESSAGE));
    return spool.entry(id).orElseThrow();
  }

  Map<String, DeliveryOutcome> deliver(MxTransport t, SpoolEntry e) {
    return t.deliver(
        e,
        e.recipients().stream().map(r -> r.address()).toList(),
        SmarthostTransportTest.source(spool, e));
  }

  @Test
  void deliversTheSpooledBytesToTheMxOfTheRecipientDomain() throws Exception {
    dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.1");
    try (MxTransport t = transport()) {
      Map<String, DeliveryOutcome> out = deliver(t, entry("bob@example.org"));
      assertThat(out.get("bob@example.org")).isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(out.get("bob@example.org").reply()).contains("mx.example.org[127.0.0.1]");
    }
    assertThat(first.received).hasSize(1);
    assertThat(first.received.get(0).from()).isEqualTo("<alice@example.com>");
    assertThat(first.received.get(0).to()).containsExactly("bob@example.org");
    assertThat(first.received.get(0).data().getBytes(StandardCharsets.UTF_8))
        .isEqualTo(SmarthostTransportTest.MESSAGE);
  }

  @Test
  void triesTheNextMxInPreferenceOrderWhenOneIsDown() throws Exception {
    dns.mx("example.org", 20, "backup.example.org")
        .mx("example.org", 10, "primary.example.org")
        .mx("example.org", 30, "last.example.org")
        .a("primary.example.org", DOWN)
        .a("backup.example.org", "127.0.0.2")
        .a("last.example.org", "127.0.0.1");
    try (MxTransport t = transport()) {
      assertThat(deliver(t, entry("bob@example.org")).get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Delivered.class);
    }
    assertThat(second.received).hasSize(1);
    assertThat(first.received).isEmpty();
  }

  @Test
  void aHostGreetingWith4xxIsSkippedForTheNext() throws Exception {
    first.greeting("421 4.3.2 too busy, try later");
    dns.mx("example.org", 10, "busy.example.org")
        .mx("example.org", 20, "spare.example.org")
        .a("busy.example.org", "127.0.0.1")
        .a("spare.example.org", "127.0.0.2");
    try (MxTransport t = transport()) {
      assertThat(deliver(t, entry("bob@example.org")).get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Delivered.class);
    }
    assertThat(second.received).hasSize(1);
  }

  @Test
  void noHostAnsweringDefersWithEveryReason() throws Exception {
    first.greeting("421 4.3.2 too busy");
    dns.mx("example.org", 10, "busy.example.org")
        .mx("example.org", 20, "down.example.org")
        .a("busy.example.org", "127.0.0.1")
        .a("down.example.org", DOWN);
    try (MxTransport t = transport()) {
      DeliveryOutcome o = deliver(t, entry("bob@example.org")).get("bob@example.org");
      assertThat(o).isInstanceOf(DeliveryOutcome.Deferred.class);
      assertThat(o.reply())
          .startsWith("451 4.4.1")
          .contains("busy.example.org[127.0.0.1]")
          .contains("down.example.org[127.0.0.3]");
    }
  }

  @Test
  void equalPreferencesAreTriedInRandomOrderAfterLowerOnes() {
    dns.mx("example.org", 10, "a.example.org")
        .mx("example.org", 10, "b.example.org")
        .mx("example.org", 5, "best.example.org")
        .a("a.example.org", "127.0.0.1")
        .a("b.example.org", "127.0.0.2")
        .a("best.example.org", "127.0.0.3");
    MxResolver resolver = new MxResolver(dns, new Random(3));
    Set<String> seconds = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      List<MxResolver.Host> hosts = ((MxResolver.Hosts) resolver.resolve("example.org")).hosts();
      assertThat(hosts).hasSize(3);
      assertThat(hosts.get(0).name()).isEqualTo("best.example.org");
      seconds.add(hosts.get(1).name());
    }
    assertThat(seconds).containsExactlyInAnyOrder("a.example.org", "b.example.org");
  }

  @Test
  void aDomainWithoutMxGetsMailAtItsOwnAddress() throws Exception {
    dns.a("example.org", "127.0.0.2");
    try (MxTransport t = transport()) {
      assertThat(deliver(t, entry("bob@example.org")).get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Delivered.class);
    }
    assertThat(second.received).hasSize(1);
  }

  @Test
  void nullMxBouncesWithoutConnecting() throws Exception {
    dns.mx("example.org", 0, ".").a("example.org", "127.0.0.1");
    try (MxTransport t = transport()) {
      DeliveryOutcome o = deliver(t, entry("bob@example.org")).get("bob@example.org");
      assertThat(o).isInstanceOf(DeliveryOutcome.Bounced.class);
      assertThat(o.reply()).startsWith("556 5.1.10");
    }
    assertThat(first.connections).isEmpty();
  }

  @Test
  void aDomainThatDoesNotExistBounces() throws Exception {
    try (MxTransport t = transport()) {
      DeliveryOutcome o = deliver(t, entry("bob@nowhere.example")).get("bob@nowhere.example");
      assertThat(o).isInstanceOf(DeliveryOutcome.Bounced.class);
      assertThat(o.reply()).startsWith("550 5.1.2");
    }
  }

  @Test
  void aDnsFailureDefers() throws Exception {
    dns.servfail("example.org");
    try (MxTransport t = transport()) {
      DeliveryOutcome o = deliver(t, entry("bob@example.org")).get("bob@example.org");
      assertThat(o).isInstanceOf(DeliveryOutcome.Deferred.class);
      assertThat(o.reply()).startsWith("451 4.4.3");
    }
  }

  @Test
  void recipientReplies4xxDefersAnd5xxBounces() throws Exception {
    dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.1");
    first.onRcpt(
        r ->
            r.startsWith("full")
                ? "452 4.2.2 mailbox full"
                : r.startsWith("gone") ? "550 5.1.1 no such user" : "250 2.1.5 ok");
    try (MxTransport t = transport()) {
      Map<String, DeliveryOutcome> out =
          deliver(t, entry("full@example.org", "gone@example.org", "ok@example.org"));
      assertThat(out.get("full@example.org")).isInstanceOf(DeliveryOutcome.Deferred.class);
      assertThat(out.get("full@example.org").reply()).contains("452 4.2.2");
      assertThat(out.get("gone@example.org")).isInstanceOf(DeliveryOutcome.Bounced.class);
      assertThat(out.get("gone@example.org").reply()).contains("550 5.1.1");
      assertThat(out.get("ok@example.org")).isInstanceOf(DeliveryOutcome.Delivered.class);
    }
    assertThat(first.received).hasSize(1);
    assertThat(first.received.get(0).to()).containsExactly("ok@example.org");
  }

  @Test
  void recipientsOfTwoDomainsGoToTheirOwnMxInOneTransactionEach() throws Exception {
    dns.mx("example.org", 10, "mx.example.org")
        .a("mx.example.org", "127.0.0.1")
        .mx("example.net", 10, "mx.example.net")
        .a("mx.example.net", "127.0.0.2");
    second.onRcpt(r -> r.startsWith("gone") ? "550 5.1.1 no such user" : "250 2.1.5 ok");
    try (MxTransport t = transport()) {
      Map<String, DeliveryOutcome> out =
          deliver(
              t,
              entry(
                  "bob@example.org", "carol@example.org", "dave@example.net", "gone@example.net"));
      assertThat(out.get("bob@example.org")).isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(out.get("carol@example.org")).isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(out.get("dave@example.net")).isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(out.get("gone@example.net")).isInstanceOf(DeliveryOutcome.Bounced.class);
    }
    assertThat(first.received).hasSize(1);
    assertThat(first.received.get(0).to()).containsExactly("bob@example.org", "carol@example.org");
    assertThat(second.received).hasSize(1);
    assertThat(second.received.get(0).to()).containsExactly("dave@example.net");
  }

  @Test
  void reusesTheConnectionToOneMxForTheNextMessage() throws Exception {
    dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.1");
    try (MxTransport t = transport()) {
      for (int i = 0; i < 3; i++) {
        assertThat(deliver(t, entry("bob" + i + "@example.org")).values())
            .allMatch(o -> o instanceof DeliveryOutcome.Delivered);
      }
      assertThat(t.connectionsOpened()).isEqualTo(1);
    }
    assertThat(first.received).hasSize(3);
    assertThat(first.connections.get("total")).isEqualTo(1);
  }

  @Test
  void usesStartTlsWhenTheMxOffersItWithoutCheckingTheCertificate() throws Exception {
    ServerTls tls =
        ServerTls.selfSigned(
            dir.resolve("tls"), "mx.invalid", Clock.systemUTC(), new SecureRandom());
    first.offerStartTls(
        s -> {
          try {
            return tls.startTls(s);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.1");
    try (MxTransport t = transport()) {
      assertThat(deliver(t, entry("bob@example.org")).get("bob@example.org"))
          .isInstanceOf(DeliveryOutcome.Delivered.class);
    }
    assertThat(first.received).hasSize(1);
    assertThat(first.received.get(0).tls()).isTrue();
    assertThat(first.received.get(0).data().getBytes(StandardCharsets.UTF_8))
        .isEqualTo(SmarthostTransportTest.MESSAGE);
  }

  @Test
  void aFailedTlsHandshakeIsNotRetriedInPlaintextOnThatHost() throws Exception {
    first.offerStartTls(
        s -> {
          try {
            s.close(); // the handshake never happens
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return s;
        });
    dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.1");
    try (MxTransport t = transport()) {
      DeliveryOutcome o = deliver(t, entry("bob@example.org")).get("bob@example.org");
      assertThat(o).isInstanceOf(DeliveryOutcome.Deferred.class);
    }
    assertThat(first.received).isEmpty();
  }

  @Test
  void threadsSharingOneMxNeverOpenMoreConnectionsThanTheLimit() throws Exception {
    dns.mx("example.org", 10, "mx.example.org").a("mx.example.org", "127.0.0.1");
    List<SpoolEntry> entries = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      entries.add(entry("bob" + i + "@example.org"));
    }
    MxTransport t =
        new MxTransport(
            new MxTransport.Settings(
                first.port(),
                Optional.empty(),
                Optional.empty(),
                1,
                Duration.ofSeconds(10),
                "relay.example.com",
                ClientTls.unverified()),
            dns,
            new Random(7),
            Clock.systemUTC());
    ExecutorService threads = Executors.newFixedThreadPool(3);
    try (t) {
      List<Future<Map<String, DeliveryOutcome>>> runs = new ArrayList<>();
      for (SpoolEntry e : entries) {
        runs.add(threads.submit(() -> deliver(t, e)));
      }
      for (Future<Map<String, DeliveryOutcome>> run : runs) {
        assertThat(run.get(30, TimeUnit.SECONDS).values())
            .allMatch(o -> o instanceof DeliveryOutcome.Delivered);
      }
      assertThat(t.connectionsOpened()).isEqualTo(1);
    } finally {
      threads.shutdown();
    }
    assertThat(first.received).hasSize(6);
  }
}
