// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.dns.TxtRecord;
import org.xbill.DNS.Name;

/**
 * Waits, before the CA is asked to validate, until the challenge records can be seen where the CA
 * will look: the primary accepted the update, but a secondary may take a moment (NOTIFY, then a
 * zone transfer), and a CA asking it too early fails the order.
 */
@FunctionalInterface
public interface ChallengePropagation {
  /**
   * Returns once {@code records} (per name, every value) are visible in {@code zone}.
   *
   * @throws DnsLookupException when they are not within the time allowed, or the zone's servers
   *     cannot be found
   */
  void await(Name zone, Map<Name, List<TxtRecord>> records)
      throws DnsLookupException, InterruptedException;

  /** No wait: for a zone with one server, the primary written to. */
  static ChallengePropagation none() {
    return (zone, records) -> {};
  }

  /**
   * Asks every authoritative server of the zone (its NS, found with {@code resolver}, at {@code
   * port}) every {@code interval} until each shows every record, for at most {@code timeout}.
   */
  static ChallengePropagation authoritative(
      DnsLookup resolver, int port, Duration timeout, Duration interval) {
    Objects.requireNonNull(resolver, "resolver");
    return (zone, records) -> {
      Map<String, InetSocketAddress> servers = new TreeMap<>();
      for (Name ns : resolver.ns(zone)) {
        List<InetAddress> addresses = new ArrayList<>(resolver.a(ns));
        addresses.addAll(resolver.aaaa(ns));
        for (InetAddress a : addresses) {
          servers.put(ns + " (" + a.getHostAddress() + ")", new InetSocketAddress(a, port));
        }
      }
      if (servers.isEmpty()) {
        throw new DnsLookupException.Permanent(
            zone.toString(), "no name servers found for " + zone, null);
      }
      long rounds = Math.max(1, timeout.toMillis() / Math.max(1, interval.toMillis()));
      String missing = "";
      for (long round = 0; round < rounds; round++) {
        missing = firstMissing(servers, records);
        if (missing.isEmpty()) {
          return;
        }
        Thread.sleep(interval.toMillis());
      }
      throw new DnsLookupException.Temporary(
          zone.toString(),
          "challenge record not visible after " + timeout.toSeconds() + "s: " + missing,
          null);
    };
  }

  /** The first server and name where a record is missing, or empty when none is. */
  private static String firstMissing(
      Map<String, InetSocketAddress> servers, Map<Name, List<TxtRecord>> records) {
    for (Map.Entry<String, InetSocketAddress> s : servers.entrySet()) {
      DnsLookup at = DnsjavaLookup.server(s.getValue()); // a fresh one: nothing cached
      for (Map.Entry<Name, List<TxtRecord>> r : records.entrySet()) {
        List<String> shown = new ArrayList<>();
        try {
          at.txt(r.getKey()).forEach(t -> shown.add(t.text()));
        } catch (DnsLookupException e) {
          return r.getKey() + " at " + s.getKey() + " (" + e.getMessage() + ")";
        }
        for (TxtRecord want : r.getValue()) {
          if (!shown.contains(want.text())) {
            return r.getKey() + " at " + s.getKey();
          }
        }
      }
    }
    return "";
  }
}
