// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.keys.DkimKey;
import org.mailseal.records.CheckResult;
import org.mailseal.records.DnsChecker;
import org.mailseal.records.DnsRecord;
import org.mailseal.records.RecordPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether DNS shows a key's exact record, asked the way a domain's {@code rotation.dns-check} says:
 * one resolver ({@link Reconciler#dnsView}), every one of a list of servers ({@link #servers}), or
 * every authoritative name server of the domain ({@link #authoritative}). Activation waits for it.
 */
public final class DnsViews {
  private static final Logger log = LoggerFactory.getLogger(DnsViews.class);

  private DnsViews() {}

  /** The record DNS must show for {@code key}. */
  static DnsRecord expected(DkimKey key) {
    return DnsRecord.of(
        key.recordName(), DnsRecord.Kind.DKIM_KEY, RecordPlan.TTL, key.record().render(), "");
  }

  /** Shown when every one of {@code checkers} (one per configured server) shows the record. */
  public static Predicate<DkimKey> servers(List<DnsChecker> checkers) {
    if (checkers.isEmpty()) {
      throw new IllegalArgumentException("DnsViews.servers: no servers");
    }
    List<DnsChecker> all = List.copyOf(checkers);
    return key -> {
      for (DnsChecker c : all) {
        CheckResult r = c.check(List.of(expected(key))).get(0);
        if (!(r instanceof CheckResult.Ok)) {
          log.debug("dns check domain={} selector={} result={}", key.domain(), key.selector(), r);
          return false;
        }
      }
      return true;
    };
  }

  /**
   * Shown when every authoritative server of the key's domain (found through {@code resolver})
   * shows the record, so no resolver can still be handed an answer without it.
   *
   * @param serverLookup a lookup asking one server (production: {@code DnsjavaLookup::server})
   */
  public static Predicate<DkimKey> authoritative(
      DnsChecker resolver, Function<InetSocketAddress, DnsLookup> serverLookup) {
    return key -> {
      try {
        CheckResult r =
            resolver.checkAuthoritative(List.of(expected(key)), key.domain(), serverLookup).get(0);
        if (!(r instanceof CheckResult.Ok)) {
          log.debug("dns check domain={} selector={} result={}", key.domain(), key.selector(), r);
        }
        return r instanceof CheckResult.Ok;
      } catch (DnsLookupException e) {
        log.warn(
            "dns check failed domain={} selector={} error=\"{}\"",
            key.domain(),
            key.selector(),
            e.getMessage());
        return false;
      }
    };
  }

  /** Each key asked through the view of its domain; a domain without one shows nothing. */
  public static Predicate<DkimKey> byDomain(Map<String, Predicate<DkimKey>> views) {
    Map<String, Predicate<DkimKey>> copy = Map.copyOf(views);
    return key -> copy.getOrDefault(key.domain(), k -> false).test(key);
  }
}
