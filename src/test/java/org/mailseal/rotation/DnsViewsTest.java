// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.Selector;
import org.mailseal.records.DnsChecker;
import org.mailseal.testing.FakeDnsLookup;

/**
 * The three {@code rotation.dns-check} modes: a key is shown only when every asked server has it.
 */
class DnsViewsTest {
  private final DkimKey key = key("example.com");

  private static DkimKey key(String domain) {
    try {
      return new DkimKey(
          domain,
          new Selector("s20261122e"),
          KeyAlgorithm.ED25519,
          256,
          KeyState.PENDING,
          Instant.parse("2026-11-22T03:00:00Z"),
          null,
          null,
          null,
          DkimKeyRecord.forPublicKey(
              KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private FakeDnsLookup showing(DkimKey k) {
    return new FakeDnsLookup().txt(k.recordName(), k.record().render());
  }

  @Test
  void serversModeNeedsEveryListedServer() {
    FakeDnsLookup first = showing(key);
    FakeDnsLookup second = new FakeDnsLookup();
    Predicate<DkimKey> view =
        DnsViews.servers(List.of(new DnsChecker(first), new DnsChecker(second)));
    assertThat(view.test(key)).isFalse();

    second.txt(key.recordName(), key.record().render());
    assertThat(view.test(key)).isTrue();
  }

  @Test
  void authoritativeModeNeedsEveryNameServerOfTheDomain() {
    FakeDnsLookup resolver =
        showing(key) // the resolver's (possibly cached) view must not count
            .ns("example.com", "ns1.example.net")
            .ns("example.com", "ns2.example.net")
            .a("ns1.example.net", "192.0.2.1")
            .a("ns2.example.net", "192.0.2.2");
    FakeDnsLookup ns1 = showing(key);
    FakeDnsLookup ns2 = new FakeDnsLookup();
    Map<String, FakeDnsLookup> servers = Map.of("192.0.2.1", ns1, "192.0.2.2", ns2);
    Predicate<DkimKey> view =
        DnsViews.authoritative(
            new DnsChecker(resolver),
            (InetSocketAddress a) -> servers.get(a.getAddress().getHostAddress()));
    assertThat(view.test(key)).isFalse();

    ns2.txt(key.recordName(), key.record().render());
    assertThat(view.test(key)).isTrue();
  }

  @Test
  void authoritativeModeWithoutNameServersShowsNothing() {
    Predicate<DkimKey> view =
        DnsViews.authoritative(new DnsChecker(showing(key)), a -> showing(key));
    assertThat(view.test(key)).isFalse();
  }

  @Test
  void eachDomainIsAskedThroughItsOwnView() {
    DkimKey other = key("example.org");
    Predicate<DkimKey> view =
        DnsViews.byDomain(
            Map.of(
                "example.com", Reconciler.dnsView(new DnsChecker(showing(key))),
                "example.org", Reconciler.dnsView(new DnsChecker(new FakeDnsLookup()))));
    assertThat(view.test(key)).isTrue();
    assertThat(view.test(other)).isFalse();
    assertThat(view.test(key("example.net"))).as("unconfigured domain").isFalse();
  }
}
