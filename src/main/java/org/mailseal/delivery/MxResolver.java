// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Where mail for one domain goes (RFC 5321 §5.1): its MX hosts by preference, equal preferences in
 * random order so that load spreads as the domain intends; the domain itself when it has no MX; and
 * nowhere when it publishes a null MX (RFC 7505) or does not exist.
 */
final class MxResolver {
  /** One host to try, with its addresses in the order to try them. */
  record Host(String name, List<InetAddress> addresses) {
    Host {
      addresses = List.copyOf(addresses);
    }
  }

  /** What resolving a domain gave: hosts to try, or an outcome for all of its recipients. */
  sealed interface Route permits Hosts, Nowhere {}

  record Hosts(List<Host> hosts) implements Route {
    Hosts {
      hosts = List.copyOf(hosts);
    }
  }

  /** No host to try: {@code outcome} is Bounced (no such domain, null MX) or Deferred (DNS). */
  record Nowhere(DeliveryOutcome outcome) implements Route {}

  private final DnsLookup dns;
  private final RandomGenerator random;

  MxResolver(DnsLookup dns, RandomGenerator random) {
    this.dns = dns;
    this.random = random;
  }

  Route resolve(String domain) {
    Name name;
    try {
      name = Name.fromString(domain.toLowerCase(Locale.ROOT) + ".");
    } catch (TextParseException e) {
      return new Nowhere(new DeliveryOutcome.Bounced("553 5.1.2 invalid domain " + domain));
    }
    List<DnsLookup.MxRecord> mx;
    try {
      mx = dns.mx(name);
    } catch (DnsLookupException e) {
      // SERVFAIL, timeout, REFUSED: the domain may well exist; ask again later.
      return new Nowhere(
          new DeliveryOutcome.Deferred("451 4.4.3 MX lookup for " + domain + " failed: " + why(e)));
    }
    // RFC 7505 §3: a single MX of "." means the domain accepts no mail at all.
    if (mx.size() == 1 && mx.get(0).exchange().equals(Name.root)) {
      return new Nowhere(
          new DeliveryOutcome.Bounced(
              "556 5.1.10 " + domain + " does not accept mail (null MX, RFC 7505)"));
    }
    List<Name> order = new ArrayList<>();
    boolean implicit = mx.isEmpty();
    if (implicit) {
      // RFC 5321 §5.1: no MX, so the domain itself is the host (its A/AAAA records). An NXDOMAIN
      // gives empty answers here too and ends below as "no such domain".
      order.add(name);
    } else {
      order.addAll(byPreference(mx));
    }
    List<Host> hosts = new ArrayList<>();
    String temporary = null;
    for (Name h : order) {
      try {
        List<InetAddress> addresses = new ArrayList<>(dns.a(h));
        addresses.addAll(dns.aaaa(h));
        if (!addresses.isEmpty()) {
          hosts.add(new Host(text(h), addresses));
        }
      } catch (DnsLookupException e) {
        temporary = "address lookup for " + text(h) + " failed: " + why(e);
      }
    }
    if (!hosts.isEmpty()) {
      return new Hosts(hosts);
    }
    if (temporary != null) {
      return new Nowhere(new DeliveryOutcome.Deferred("451 4.4.3 " + temporary));
    }
    if (implicit) {
      return new Nowhere(
          new DeliveryOutcome.Bounced(
              "550 5.1.2 " + domain + ": no such domain (no MX and no address records)"));
    }
    // MX hosts that do not resolve are often a zone being fixed: keep trying until max age.
    return new Nowhere(
        new DeliveryOutcome.Deferred("451 4.4.4 no MX host of " + domain + " has an address"));
  }

  /** The exchanges sorted by preference, ties shuffled; "." entries beside others are dropped. */
  private List<Name> byPreference(List<DnsLookup.MxRecord> records) {
    List<DnsLookup.MxRecord> shuffled = new ArrayList<>(records);
    shuffled.removeIf(r -> r.exchange().equals(Name.root));
    // Shuffle first, then a stable sort by preference: ties keep their random order.
    for (int i = shuffled.size() - 1; i > 0; i--) {
      Collections.swap(shuffled, i, random.nextInt(i + 1));
    }
    shuffled.sort((a, b) -> Integer.compare(a.preference(), b.preference()));
    List<Name> out = new ArrayList<>();
    for (DnsLookup.MxRecord r : shuffled) {
      if (!out.contains(r.exchange())) {
        out.add(r.exchange());
      }
    }
    return out;
  }

  private static String text(Name n) {
    String s = n.toString(true);
    return s.isEmpty() ? "." : s;
  }

  private static String why(DnsLookupException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
