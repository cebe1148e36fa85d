// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Recipient;
import org.mailseal.spool.SpoolEntry;

class RoutingTransportTest {
  /** Delivers everything and remembers which recipients each call had. */
  static final class Recording implements Transport {
    final List<List<String>> calls = new ArrayList<>();
    final String name;

    Recording(String name) {
      this.name = name;
    }

    @Override
    public Map<String, DeliveryOutcome> deliver(
        SpoolEntry entry, List<String> recipients, MessageSource message) {
      calls.add(List.copyOf(recipients));
      Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
      recipients.forEach(r -> out.put(r, new DeliveryOutcome.Delivered("via " + name)));
      return out;
    }
  }

  @Test
  void eachRecipientGoesThroughItsDomainsRouteInOneCallPerTransport() {
    Recording mx = new Recording("mx");
    Recording file = new Recording("file");
    Recording smarthost = new Recording("smarthost");
    RoutingTransport t =
        new RoutingTransport(mx, Map.of("test.example", file, "example.net", smarthost));
    List<String> rcpts =
        List.of("a@Test.Example", "b@example.org", "c@example.net", "d@test.example", "e@x.org");
    SpoolEntry e =
        new SpoolEntry(
            QueueId.next(Instant.EPOCH, new java.util.Random(1)),
            "s@example.com",
            rcpts.stream().map(Recipient::pending).toList(),
            "s",
            false,
            Instant.EPOCH,
            0,
            Instant.EPOCH,
            1);
    Map<String, DeliveryOutcome> out = t.deliver(e, rcpts, () -> null);
    assertThat(out).containsOnlyKeys(rcpts);
    assertThat(out.get("a@Test.Example").reply()).isEqualTo("via file");
    assertThat(out.get("c@example.net").reply()).isEqualTo("via smarthost");
    assertThat(out.get("e@x.org").reply()).isEqualTo("via mx");
    assertThat(file.calls).containsExactly(List.of("a@Test.Example", "d@test.example"));
    assertThat(smarthost.calls).containsExactly(List.of("c@example.net"));
    assertThat(mx.calls).containsExactly(List.of("b@example.org", "e@x.org"));
  }
}
