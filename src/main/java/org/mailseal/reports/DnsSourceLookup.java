// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.TxtRecord;
import org.mailseal.records.SpfEvaluator;
import org.mailseal.records.SpfException;
import org.mailseal.records.SpfRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TextParseException;

/**
 * {@link SourceLookup} over DNS: PTR for the reverse name; for the include, the domain's SPF record
 * and an RFC 7208 evaluation of each {@code include:} target against the address. Answers are
 * remembered for the life of the instance (one report).
 */
public final class DnsSourceLookup implements SourceLookup {
  private final DnsLookup dns;
  private final SpfEvaluator spf;
  private final Map<String, Optional<String>> names = new ConcurrentHashMap<>();
  private final Map<String, Optional<String>> includes = new ConcurrentHashMap<>();

  public DnsSourceLookup(DnsLookup dns, Clock clock) {
    this.dns = dns;
    this.spf = new SpfEvaluator(dns, clock);
  }

  @Override
  public Optional<String> reverseName(String ip) {
    return names.computeIfAbsent(ip, this::ptr);
  }

  @Override
  public Optional<String> spfInclude(String domain, String ip) {
    return includes.computeIfAbsent(domain + " " + ip, k -> include(domain, ip));
  }

  private Optional<String> ptr(String ip) {
    try {
      List<Name> targets = dns.ptr(ReverseMap.fromAddress(literal(ip)));
      return targets.isEmpty() ? Optional.empty() : Optional.of(targets.get(0).toString(true));
    } catch (DnsLookupException | UnknownHostException e) {
      return Optional.empty();
    }
  }

  private Optional<String> include(String domain, String ip) {
    try {
      InetAddress address = literal(ip);
      for (TxtRecord t : dns.txt(Name.fromString(domain, Name.root))) {
        if (!SpfRecord.isSpf(t.text())) {
          continue;
        }
        for (SpfRecord.Mechanism m : SpfRecord.parse(t.text()).mechanisms()) {
          boolean authorises = m.qualifier().isEmpty() || "+".equals(m.qualifier());
          if ("include".equals(m.name())
              && authorises
              && "pass".equals(spf.checkHost(address, m.domainSpec(), "").result())) {
            return Optional.of(m.domainSpec());
          }
        }
      }
      return Optional.empty();
    } catch (DnsLookupException
        | UnknownHostException
        | TextParseException
        | SpfException.Syntax e) {
      return Optional.empty();
    }
  }

  private static InetAddress literal(String ip) throws UnknownHostException {
    if (!ip.matches("[0-9a-fA-F:.]+")) {
      throw new UnknownHostException(ip);
    }
    return InetAddress.getByName(ip);
  }
}
