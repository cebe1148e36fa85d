// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.ScriptedSmtpPeer;
import org.mailseal.testing.ZoneServer;

/**
 * MX routing with answers from a real DNS server on loopback read by dnsjava: preference order, the
 * A fallback, a null MX, NXDOMAIN and SERVFAIL, in one message to five domains.
 */
class MxOverDnsTest {
  @TempDir Path dir;

  @Test
  void eachDomainOfOneMessageIsRoutedAsItsDnsSays() throws Exception {
    String zone =
        String.join(
            "\n",
            "mail 3600 IN MX 10 mx1",
            "mail 3600 IN MX 20 mx2",
            "mx1 3600 IN A 127.0.0.3",
            "mx2 3600 IN A 127.0.0.1",
            "nullmx 3600 IN MX 0 .",
            "nullmx 3600 IN A 127.0.0.1",
            "plain 3600 IN A 127.0.0.1",
            "broken 3600 IN A 127.0.0.1",
            "");
    try (ZoneServer dns = ZoneServer.start("example.org", zone);
        ScriptedSmtpPeer mx =
            new ScriptedSmtpPeer(new ServerSocket(), InetAddress.getByName("127.0.0.1"), 0);
        Spool spool =
            Spool.open(
                dir.resolve("spool"),
                Clock.systemUTC(),
                SpoolOptions.defaults(new SecureRandom()).withoutFsync());
        MxTransport t =
            new MxTransport(
                new MxTransport.Settings(
                    mx.port(),
                    Optional.empty(),
                    Optional.empty(),
                    2,
                    Duration.ofSeconds(5),
                    "relay.example.com",
                    ClientTls.unverified()),
                DnsjavaLookup.server(dns.hostPort()),
                new Random(1),
                Clock.systemUTC())) {
      dns.servfail("broken.example.org");
      List<String> rcpts =
          List.of(
              "a@mail.example.org",
              "b@nullmx.example.org",
              "c@nowhere.example.org",
              "d@plain.example.org",
              "e@broken.example.org");
      QueueId id =
          spool.store(
              EnvelopeDraft.submitted("alice@example.com", rcpts, "alice"),
              new ByteArrayInputStream(SmarthostTransportTest.MESSAGE));
      SpoolEntry e = spool.entry(id).orElseThrow();
      Map<String, DeliveryOutcome> out =
          t.deliver(e, rcpts, SmarthostTransportTest.source(spool, e));

      assertThat(out.get("a@mail.example.org")).isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(out.get("a@mail.example.org").reply()).contains("mx2.example.org[127.0.0.1]");
      assertThat(out.get("b@nullmx.example.org").reply()).startsWith("556 5.1.10");
      assertThat(out.get("b@nullmx.example.org")).isInstanceOf(DeliveryOutcome.Bounced.class);
      assertThat(out.get("c@nowhere.example.org").reply()).startsWith("550 5.1.2");
      assertThat(out.get("c@nowhere.example.org")).isInstanceOf(DeliveryOutcome.Bounced.class);
      assertThat(out.get("d@plain.example.org")).isInstanceOf(DeliveryOutcome.Delivered.class);
      assertThat(out.get("e@broken.example.org").reply()).startsWith("451 4.4.3");
      assertThat(out.get("e@broken.example.org")).isInstanceOf(DeliveryOutcome.Deferred.class);
      assertThat(mx.received)
          .extracting(ScriptedSmtpPeer.Received::to)
          .containsExactly(List.of("a@mail.example.org"), List.of("d@plain.example.org"));
    }
  }
}
