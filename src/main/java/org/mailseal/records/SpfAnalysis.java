// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.TxtRecord;

/**
 * Lints a domain's published SPF without an IP address: follows every {@code include:} and {@code
 * redirect=} to count the DNS-querying terms a receiver may spend (the worst case, which is what
 * RFC 7208 §4.6.4 limits), the lookups that find nothing, loops and syntax errors; and explains
 * what the {@code all} at the end does to senders it does not list.
 */
public final class SpfAnalysis {
  private SpfAnalysis() {}

  /**
   * What was found.
   *
   * @param record the domain's own record, empty when it has none
   * @param problems what makes receivers return permerror (or none): each makes the check fail
   * @param notes advice that does not make the record wrong
   */
  public record Report(
      String domain,
      Optional<String> record,
      int lookups,
      int voidLookups,
      List<String> problems,
      List<String> notes,
      String stance) {
    public Report {
      problems = List.copyOf(problems);
      notes = List.copyOf(notes);
    }

    public boolean ok() {
      return record.isPresent() && problems.isEmpty();
    }
  }

  public static Report analyze(DnsLookup dns, String domain) {
    Walk w = new Walk(dns);
    String d = domain.toLowerCase(Locale.ROOT);
    SpfRecord top = null;
    try {
      top = w.fetch(d);
    } catch (DnsLookupException e) {
      w.problems.add("DNS did not answer for " + d + ": " + e.getMessage());
    }
    if (top == null) {
      if (w.problems.isEmpty()) {
        w.problems.add(d + " publishes no SPF record");
      }
      return new Report(d, Optional.empty(), 0, 0, w.problems, w.notes, "");
    }
    w.walk(d, top);
    if (w.lookups > SpfEvaluator.MAX_LOOKUPS) {
      w.problems.add(
          "DNS lookups: "
              + w.lookups
              + " of "
              + SpfEvaluator.MAX_LOOKUPS
              + ": over the limit, receivers return permerror (RFC 7208 §4.6.4)");
    }
    if (w.voids > SpfEvaluator.MAX_VOID_LOOKUPS) {
      w.problems.add(
          "void lookups: "
              + w.voids
              + " of "
              + SpfEvaluator.MAX_VOID_LOOKUPS
              + ": over the limit, receivers return permerror (RFC 7208 §4.6.4)");
    }
    return new Report(
        d, Optional.of(top.text()), w.lookups, w.voids, w.problems, w.notes, stance(top));
  }

  static String stance(SpfRecord r) {
    Optional<SpfRecord.Mechanism> all = r.all();
    if (all.isEmpty()) {
      return r.redirect().isPresent()
          ? "no all: the policy of redirect="
              + r.redirect().get()
              + " decides for senders not listed"
          : "no all: senders not listed get neutral — receivers treat them as unauthenticated; end with ~all, then -all";
    }
    switch (all.get().qualifier()) {
      case "-":
        return "-all: senders not listed fail — receivers may reject their mail";
      case "~":
        return "~all: senders not listed soft-fail — accepted but marked; tighten to -all once every sender is listed";
      case "?":
        return "?all: senders not listed get neutral — receivers treat them as unauthenticated; tighten to ~all, then -all";
      default:
        return "+all: anyone may send as this domain — remove it";
    }
  }

  private static final class Walk {
    final DnsLookup dns;
    final List<String> problems = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final Deque<String> stack = new ArrayDeque<>();
    int lookups;
    int voids;

    Walk(DnsLookup dns) {
      this.dns = dns;
    }

    SpfRecord fetch(String domain) throws DnsLookupException {
      List<String> spf = new ArrayList<>();
      for (TxtRecord t : dns.txt(DnsLookup.absolute(domain))) {
        if (SpfRecord.isSpf(t.text())) {
          spf.add(t.text());
        }
      }
      if (spf.isEmpty()) {
        return null;
      }
      if (spf.size() > 1) {
        problems.add(
            domain
                + " has "
                + spf.size()
                + " SPF records; receivers return permerror (RFC 7208 §4.5)");
      }
      try {
        return SpfRecord.parse(spf.get(0));
      } catch (SpfException.Syntax e) {
        problems.add(domain + ": " + e.getMessage());
        return null;
      }
    }

    void walk(String domain, SpfRecord record) {
      stack.addLast(domain);
      for (SpfRecord.Mechanism m : record.mechanisms()) {
        if (m.costsLookup()) {
          lookups++;
        }
        String target = m.domainSpec().isEmpty() ? domain : m.domainSpec().toLowerCase(Locale.ROOT);
        boolean macro = target.contains("%");
        try {
          switch (m.name()) {
            case "include":
              if (!macro) {
                follow("include:" + target, target, true);
              }
              break;
            case "a":
              if (!macro
                  && dns.a(DnsLookup.absolute(target)).isEmpty()
                  && dns.aaaa(DnsLookup.absolute(target)).isEmpty()) {
                voids++;
                notes.add(m + " in " + domain + " finds no address");
              }
              break;
            case "mx":
              if (!macro) {
                int n = dns.mx(DnsLookup.absolute(target)).size();
                if (n == 0) {
                  voids++;
                  notes.add(m + " in " + domain + " finds no MX record");
                } else if (n > 10) {
                  problems.add(m + " in " + domain + " has " + n + " MX records (at most 10)");
                }
              }
              break;
            case "ptr":
              notes.add(
                  "ptr in " + domain + " is slow and unreliable; RFC 7208 §5.5 says not to use it");
              break;
            default:
              break;
          }
        } catch (DnsLookupException e) {
          problems.add("DNS did not answer for " + target + ": " + e.getMessage());
        }
      }
      record
          .redirect()
          .ifPresent(
              r -> {
                lookups++;
                if (!r.contains("%")) {
                  follow("redirect=" + r, r.toLowerCase(Locale.ROOT), false);
                }
              });
      stack.removeLast();
    }

    void follow(String term, String target, boolean include) {
      if (stack.contains(target)) {
        problems.add("loop: " + String.join(" -> ", stack) + " -> " + target + " (" + term + ")");
        return;
      }
      try {
        SpfRecord next = fetch(target);
        if (next == null) {
          voids++;
          problems.add(
              term + " in " + stack.peekLast() + ": " + target + " has no SPF record (permerror)");
          return;
        }
        walk(target, next);
      } catch (DnsLookupException e) {
        problems.add("DNS did not answer for " + target + ": " + e.getMessage());
      }
    }
  }
}
