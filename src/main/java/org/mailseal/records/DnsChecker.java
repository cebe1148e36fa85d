// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.dkim.TagList;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.TxtRecord;
import org.xbill.DNS.Name;

/**
 * Checks that DNS shows what a domain should publish. DKIM records are compared by key bytes (a
 * provider may re-split or re-space the text), SPF by its normalized text, DMARC by its tags. Key
 * activation is gated on this check.
 */
public final class DnsChecker {
  private final DnsLookup lookup;

  /** A checker asking {@code lookup} (a resolver, or one server). */
  public DnsChecker(DnsLookup lookup) {
    this.lookup = lookup;
  }

  /** One result per expected record, in order. */
  public List<CheckResult> check(List<DnsRecord> expected) {
    List<CheckResult> out = new ArrayList<>();
    for (DnsRecord r : expected) {
      out.add(check(r, lookup, ""));
    }
    return out;
  }

  /**
   * Checks every record at every authoritative server of {@code domain} (the NS of the domain, or
   * of the nearest enclosing zone). A record is ok only when it is ok at every server; otherwise
   * the result names the first server that disagrees.
   *
   * @param serverLookup makes a lookup that asks one server (production: {@code
   *     DnsjavaLookup::server})
   */
  public List<CheckResult> checkAuthoritative(
      List<DnsRecord> expected, String domain, Function<InetSocketAddress, DnsLookup> serverLookup)
      throws DnsLookupException {
    Map<String, InetSocketAddress> servers = authoritativeServers(domain);
    if (servers.isEmpty()) {
      throw new DnsLookupException.Permanent(domain, "no name servers found for " + domain, null);
    }
    List<CheckResult> out = new ArrayList<>();
    for (DnsRecord r : expected) {
      CheckResult verdict = null;
      for (Map.Entry<String, InetSocketAddress> s : servers.entrySet()) {
        CheckResult at = check(r, serverLookup.apply(s.getValue()), s.getKey());
        if (!at.ok()) {
          verdict = at;
          break;
        }
      }
      out.add(
          verdict != null
              ? verdict
              : new CheckResult.Ok(r, servers.size() + " authoritative servers"));
    }
    return out;
  }

  /** Name server host (and address) to socket address, in a stable order. */
  Map<String, InetSocketAddress> authoritativeServers(String domain) throws DnsLookupException {
    Name zone = DnsLookup.absolute(domain);
    List<Name> ns = lookup.ns(zone);
    while (ns.isEmpty() && zone.labels() > 2) {
      zone = new Name(zone, 1);
      ns = lookup.ns(zone);
    }
    Map<String, InetSocketAddress> servers = new TreeMap<>();
    for (Name host : ns) {
      List<InetAddress> addresses = new ArrayList<>(lookup.a(host));
      addresses.addAll(lookup.aaaa(host));
      for (InetAddress a : addresses) {
        servers.put(host + " (" + a.getHostAddress() + ")", new InetSocketAddress(a, 53));
      }
    }
    return servers;
  }

  private static CheckResult check(DnsRecord expected, DnsLookup lookup, String server) {
    if (expected.kind() == DnsRecord.Kind.NULL_MX) {
      return nullMx(expected, lookup, server);
    }
    List<TxtRecord> found;
    try {
      found = lookup.txt(expected.name());
    } catch (DnsLookupException e) {
      return new CheckResult.Error(expected, e.getMessage(), e.isTemporary(), server);
    }
    switch (expected.kind()) {
      case DKIM_KEY:
        return dkim(expected, found, server);
      case DKIM_REVOCATION:
        return revocation(expected, found, server);
      case SPF:
        return policy(expected, found, server, "v=spf1", DnsChecker::sameSpf);
      default:
        return policy(expected, found, server, "v=DMARC1", DnsChecker::sameDmarc);
    }
  }

  /** RFC 7505: exactly one MX, preference 0, exchange the root. */
  private static CheckResult nullMx(DnsRecord expected, DnsLookup lookup, String server) {
    List<DnsLookup.MxRecord> found;
    try {
      found = lookup.mx(expected.name());
    } catch (DnsLookupException e) {
      return new CheckResult.Error(expected, e.getMessage(), e.isTemporary(), server);
    }
    if (found.isEmpty()) {
      return new CheckResult.Missing(expected, server);
    }
    if (found.size() == 1
        && found.get(0).preference() == 0
        && found.get(0).exchange().equals(org.xbill.DNS.Name.root)) {
      return new CheckResult.Ok(expected, server);
    }
    List<String> shown = new ArrayList<>();
    found.forEach(m -> shown.add(m.preference() + " " + m.exchange()));
    return new CheckResult.Different(expected, String.join(", ", shown), server);
  }

  private static CheckResult dkim(DnsRecord expected, List<TxtRecord> found, String server) {
    if (found.isEmpty()) {
      return new CheckResult.Missing(expected, server);
    }
    if (found.size() > 1) {
      return new CheckResult.Different(
          expected, found.size() + " TXT records where one is expected", server);
    }
    String text = found.get(0).text();
    try {
      DkimKeyRecord want = DkimKeyRecord.parse(expected.value());
      return DkimKeyRecord.parse(text).sameKeyAs(want)
          ? new CheckResult.Ok(expected, server)
          : new CheckResult.Different(expected, text, server);
    } catch (IllegalArgumentException e) {
      return new CheckResult.Different(expected, text, server);
    }
  }

  private static CheckResult revocation(DnsRecord expected, List<TxtRecord> found, String server) {
    if (found.isEmpty()) {
      return new CheckResult.Ok(expected, server); // removed: as good as revoked
    }
    String text = found.get(0).text();
    try {
      if (found.size() == 1 && DkimKeyRecord.parse(text).isRevoked()) {
        return new CheckResult.Ok(expected, server);
      }
    } catch (IllegalArgumentException e) {
      // falls through: whatever is there is not a revocation
    }
    return new CheckResult.Different(expected, text, server);
  }

  private interface Same {
    boolean test(String expected, String found);
  }

  private static CheckResult policy(
      DnsRecord expected, List<TxtRecord> found, String server, String version, Same same) {
    List<String> policies = new ArrayList<>();
    for (TxtRecord t : found) {
      String text = t.text().strip();
      if (text.regionMatches(true, 0, version, 0, version.length())) {
        policies.add(text);
      }
    }
    if (policies.isEmpty()) {
      return new CheckResult.Missing(expected, server);
    }
    if (policies.size() > 1) {
      return new CheckResult.Different(
          expected,
          policies.size() + " " + version + " records (receivers treat that as an error)",
          server);
    }
    return same.test(expected.value(), policies.get(0))
        ? new CheckResult.Ok(expected, server)
        : new CheckResult.Different(expected, policies.get(0), server);
  }

  /** SPF terms compared case-insensitively, whitespace runs ignored. */
  static boolean sameSpf(String a, String b) {
    return normalizeSpf(a).equals(normalizeSpf(b));
  }

  private static String normalizeSpf(String s) {
    return String.join(" ", s.strip().toLowerCase(Locale.ROOT).split("\\s+"));
  }

  /** DMARC tags compared as a map: order and spacing do not matter, values ignore case. */
  static boolean sameDmarc(String a, String b) {
    try {
      return tags(a).equals(tags(b));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Map<String, String> tags(String record) {
    Map<String, String> out = new TreeMap<>();
    TagList.parse(record)
        .asMap()
        .forEach(
            (k, v) ->
                out.put(
                    k.toLowerCase(Locale.ROOT), v.replaceAll("\\s+", "").toLowerCase(Locale.ROOT)));
    return out;
  }
}
