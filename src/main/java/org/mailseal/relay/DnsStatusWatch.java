// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.records.CheckResult;
import org.mailseal.records.DnsChecker;
import org.mailseal.records.DnsRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What serve shows as {@code mailseal_dns_record_ok}: every record each domain should publish now
 * (its DKIM keys, SPF and DMARC, as {@code dns records} prints them), looked up the way the
 * domain's {@code rotation.dns-check} says. A record is ok only when every server asked shows it.
 */
final class DnsStatusWatch {
  private static final Logger log = LoggerFactory.getLogger(DnsStatusWatch.class);

  private final MailsealConfig config;
  private final KeyStore keys;
  private final Clock clock;
  private final Map<String, List<RelayMetrics.DnsStatus>> byDomain = new ConcurrentHashMap<>();

  DnsStatusWatch(MailsealConfig config, KeyStore keys, Clock clock) {
    this.config = config;
    this.keys = keys;
    this.clock = clock;
  }

  /** The rows of the last check of every domain, in the config's domain order. */
  List<RelayMetrics.DnsStatus> rows() {
    List<RelayMetrics.DnsStatus> out = new ArrayList<>();
    for (String d : config.allDomainNames()) {
      out.addAll(byDomain.getOrDefault(d, List.of()));
    }
    return out;
  }

  /** Checks every domain now; a domain whose check cannot run keeps its last rows. */
  void checkAll() {
    for (String d : config.allDomainNames()) {
      try {
        List<CheckResult> results = check(d);
        byDomain.put(d, results.stream().map(DnsStatusWatch::row).toList());
        long bad = results.stream().filter(r -> !r.ok()).count();
        if (bad > 0) {
          log.info(
              "dns status domain={} records={} not_as_expected={} (see: mailseal dns check)",
              d,
              results.size(),
              bad);
        }
      } catch (KeyStoreException | RuntimeException e) {
        log.warn("dns status check failed domain={} error=\"{}\"", d, e.getMessage());
      }
    }
  }

  /** Checks {@code domain} now as configured (servers, authoritative or system resolver). */
  List<CheckResult> check(String domain) throws KeyStoreException {
    List<DnsRecord> plan = DnsExport.plan(config, keys, domain, clock);
    MailsealConfig.Rotation r = config.domains().get(domain).rotation();
    return switch (r.dnsCheck()) {
      case SERVERS -> worstOf(plan, r.dnsServers());
      case AUTHORITATIVE -> authoritative(plan, domain);
      case SYSTEM -> new DnsChecker(DnsjavaLookup.system()).check(plan);
    };
  }

  /** Per record, the worst answer of the servers. */
  private static List<CheckResult> worstOf(List<DnsRecord> plan, List<String> servers) {
    List<CheckResult> worst = null;
    for (String server : servers) {
      List<CheckResult> one = new DnsChecker(DnsjavaLookup.server(server)).check(plan);
      worst = worst == null ? new ArrayList<>(one) : worse(worst, one);
    }
    return worst == null ? List.of() : worst;
  }

  private static List<CheckResult> authoritative(List<DnsRecord> plan, String domain) {
    try {
      return new DnsChecker(DnsjavaLookup.system())
          .checkAuthoritative(plan, domain, DnsjavaLookup::server);
    } catch (DnsLookupException e) {
      return plan.stream()
          .<CheckResult>map(x -> new CheckResult.Error(x, e.getMessage(), true, ""))
          .toList();
    }
  }

  /** Per record, the first result that is not ok. */
  private static List<CheckResult> worse(List<CheckResult> a, List<CheckResult> b) {
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).ok() && !b.get(i).ok()) {
        a.set(i, b.get(i));
      }
    }
    return a;
  }

  private static RelayMetrics.DnsStatus row(CheckResult r) {
    String type =
        switch (r.expected().kind()) {
          case DKIM_KEY, DKIM_REVOCATION -> "dkim";
          default -> r.expected().kind().name().toLowerCase(Locale.ROOT);
        };
    return new RelayMetrics.DnsStatus(r.expected().name().toString(true), type, r.ok());
  }
}
