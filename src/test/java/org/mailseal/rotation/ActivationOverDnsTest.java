// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.SelectorTemplate;
import org.mailseal.records.DnsChecker;
import org.mailseal.records.RecordPlan;
import org.mailseal.records.ZoneWriter;
import org.mailseal.testing.MutableClock;
import org.mailseal.testing.ZoneServer;

/**
 * Activation gated on a real DNS server: a PENDING key stays PENDING while its record is absent or
 * carries another key, and becomes ACTIVE at the first reconcile after the zone is corrected.
 */
class ActivationOverDnsTest {
  @TempDir Path dir;

  @Test
  void pendingKeyActivatesOnlyOnceDnsShowsItsExactRecord() throws Exception {
    RotationPolicy policy =
        new RotationPolicy(
            List.of(KeyAlgorithm.ED25519),
            2048,
            "0 0 3 1 1/3 ?",
            Duration.ofHours(72),
            Duration.ofDays(14),
            Duration.ofDays(7));
    MutableClock clock = new MutableClock(Instant.parse("2026-11-22T03:00:00Z"));
    FileKeyStore store = new FileKeyStore(dir, clock);
    try (ZoneServer dns = ZoneServer.start("example.com", "")) {
      Reconciler reconciler =
          new Reconciler(
              store,
              new KeyGenerator(new SecureRandom()),
              SelectorTemplate.DEFAULT,
              clock,
              Reconciler.dnsView(new DnsChecker(DnsjavaLookup.server(dns.hostPort()))));
      reconciler.reconcile("example.com", policy);
      DkimKey key = store.list("example.com").get(0);
      assertThat(key.state()).isEqualTo(KeyState.PENDING);

      clock.advance(Duration.ofHours(73)); // prepublish over, record absent
      assertThat(reconciler.reconcile("example.com", policy)).isEmpty();

      // A record with another key under the right name: still not ours.
      String wrong =
          DkimKeyRecord.forPublicKey(
                  KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic())
              .render();
      dns.setZone(key.recordName() + ". 3600 IN TXT \"" + wrong + "\"\n");
      assertThat(reconciler.reconcile("example.com", policy)).isEmpty();
      assertThat(store.list("example.com").get(0).state()).isEqualTo(KeyState.PENDING);

      // The zone is corrected with what dns records exports: the next reconcile activates.
      dns.setZone(
          ZoneWriter.render(
              RecordPlan.forDomain(
                  "example.com",
                  store.list("example.com"),
                  java.util.Optional.empty(),
                  java.util.Optional.empty(),
                  clock.instant()),
              ZoneWriter.Format.BIND));
      assertThat(reconciler.reconcile("example.com", policy))
          .extracting(Transition::describe)
          .containsExactly("activate " + key.selector() + " of example.com");
      assertThat(store.list("example.com").get(0).state()).isEqualTo(KeyState.ACTIVE);
    }
  }
}
