// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.mailseal.reports.AggregateReport.DkimResult;
import org.mailseal.reports.AggregateReport.Row;
import org.mailseal.reports.AggregateReport.SpfResult;

/**
 * Says what a domain's reports mean: per source address, its volume, results and {@link
 * Classification}; the aligned share; and the {@link Ramp} verdict. A pure function of the reports,
 * the clock, the domain's facts and the {@link SourceLookup} answers.
 *
 * <p>A row is aligned when DKIM or SPF passed for a domain aligned with the From domain (per the
 * domain's {@code adkim}/{@code aspf}), or when the receiver evaluated DMARC as passing.
 */
public final class ReportAnalyzer {
  private final SourceLookup lookup;

  public ReportAnalyzer(SourceLookup lookup) {
    this.lookup = Objects.requireNonNull(lookup, "lookup");
  }

  /**
   * The report for {@code facts.domain()} over the {@code period} before now. {@code reports} may
   * reach further back: the ramp verdict looks at all of them.
   */
  public DomainReport analyze(
      DomainFacts facts, List<AggregateReport> reports, Clock clock, Duration period) {
    Instant to = clock.instant();
    Instant from = to.minus(period);
    List<AggregateReport> mine = distinct(facts.domain(), reports);
    List<AggregateReport> inPeriod =
        mine.stream().filter(r -> r.begin().isBefore(to) && r.end().isAfter(from)).toList();
    List<SourceReport> sources = sources(facts, inPeriod);
    long messages = 0;
    long aligned = 0;
    long forged = 0;
    for (SourceReport s : sources) {
      messages += s.messages();
      aligned += s.aligned();
      if (s.classification().forged()) {
        forged += s.unaligned();
      }
    }
    Map<String, Classification> windowClasses = new LinkedHashMap<>();
    for (SourceReport s : sources(facts, mine)) {
      windowClasses.put(s.ip(), s.classification());
    }
    RampVerdict verdict =
        Ramp.verdict(facts, mine, windowClasses, LocalDate.ofInstant(to, ZoneOffset.UTC));
    return new DomainReport(
        facts.domain(), from, to, inPeriod.size(), messages, aligned, forged, sources, verdict);
  }

  /** The reports about {@code domain}, each key once, by begin. */
  static List<AggregateReport> distinct(String domain, List<AggregateReport> reports) {
    Set<AggregateReport.Key> seen = new HashSet<>();
    List<AggregateReport> out = new ArrayList<>();
    for (AggregateReport r : reports) {
      if (r.policy().domain().equals(domain) && seen.add(r.key())) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparing(AggregateReport::begin));
    return out;
  }

  /** Whether a row passed DMARC, by our reading of its results or by the receiver's. */
  static boolean aligned(DomainFacts facts, Row row) {
    return dkimAligned(facts, row) || spfAligned(facts, row) || evaluatedPass(row);
  }

  static boolean evaluatedPass(Row row) {
    return "pass".equals(row.dkimEvaluated()) || "pass".equals(row.spfEvaluated());
  }

  static boolean dkimAligned(DomainFacts facts, Row row) {
    return row.dkim().stream().anyMatch(d -> dkimAligned(facts, row, d));
  }

  private static boolean dkimAligned(DomainFacts facts, Row row, DkimResult d) {
    return d.pass() && facts.adkim().aligned(d.domain(), row.headerFrom(), facts.domain());
  }

  static boolean spfAligned(DomainFacts facts, Row row) {
    return row.spf().stream().anyMatch(s -> spfAligned(facts, row, s));
  }

  private static boolean spfAligned(DomainFacts facts, Row row, SpfResult s) {
    return s.pass()
        && !"helo".equals(s.scope())
        && facts.aspf().aligned(s.domain(), row.headerFrom(), facts.domain());
  }

  /** Per address, most messages first (then by address). */
  List<SourceReport> sources(DomainFacts facts, List<AggregateReport> reports) {
    Map<String, Tally> tallies = new LinkedHashMap<>();
    for (AggregateReport r : reports) {
      for (Row row : r.rows()) {
        tallies.computeIfAbsent(row.sourceIp(), Tally::new).add(facts, r.orgName(), row);
      }
    }
    List<SourceReport> out = new ArrayList<>();
    for (Tally t : tallies.values()) {
      String reverse = lookup.reverseName(t.ip).orElse("");
      out.add(
          new SourceReport(
              t.ip,
              reverse,
              List.copyOf(t.orgs),
              t.messages,
              t.aligned,
              t.dkimAligned,
              t.spfAligned,
              List.copyOf(t.dkim),
              List.copyOf(t.spf),
              classify(facts, t, reverse)));
    }
    out.sort(
        Comparator.comparingLong(SourceReport::messages)
            .reversed()
            .thenComparing(SourceReport::ip));
    return out;
  }

  private Classification classify(DomainFacts facts, Tally t, String reverse) {
    if (!t.ownSelectors.isEmpty()) {
      return new Classification.ThisRelay("DKIM selector " + String.join(", ", t.ownSelectors));
    }
    if (facts.egress().contains(t.ip)) {
      return new Classification.ThisRelay("egress address of the relay");
    }
    if (!t.otherSelectors.isEmpty()) {
      return new Classification.AuthorisedService(
          "DKIM selector " + String.join(", ", t.otherSelectors) + " (not mailseal's)");
    }
    if (!t.unreportedSelectors.isEmpty()) {
      return new Classification.AuthorisedService(
          "DKIM pass for d="
              + String.join(", d=", t.unreportedSelectors)
              + " (selector not reported)");
    }
    if (!t.spfAlignedDomains.isEmpty()) {
      Optional<String> include = lookup.spfInclude(facts.domain(), t.ip);
      return new Classification.AuthorisedService(
          include
              .map(i -> "SPF include:" + i)
              .orElse("SPF pass for " + String.join(", ", t.spfAlignedDomains)));
    }
    if (t.aligned > 0) {
      return new Classification.AuthorisedService("DMARC pass reported by the receiver");
    }
    if (!t.otherDkimPass.isEmpty()) {
      return new Classification.Unaligned(
          Classification.Hint.FORWARDER,
          "SPF fails, DKIM passes for d=" + String.join(", d=", t.otherDkimPass));
    }
    // Nothing passes, but from a mail provider's network: more likely a service the owner signed
    // up for than a forger. (With DKIM passing for another d= it stays a forwarder above: Google
    // and Microsoft forward their users' mail too.)
    Optional<String> provider = KnownProviders.of(reverse);
    if (provider.isPresent()) {
      return new Classification.Unaligned(
          Classification.Hint.KNOWN_PROVIDER,
          "neither SPF nor DKIM passes for the domain"
              + (t.otherDkimPass.isEmpty()
                  ? ""
                  : " (DKIM passes for d=" + String.join(", d=", t.otherDkimPass) + ")")
              + ", from "
              + provider.get()
              + " ("
              + reverse
              + ")");
    }
    return new Classification.Unaligned(
        Classification.Hint.FORGED, "neither SPF nor DKIM passes for the domain");
  }

  /** Everything one address did, summed over rows. */
  private static final class Tally {
    final String ip;
    final Set<String> orgs = new TreeSet<>();
    final Set<String> dkim = new TreeSet<>();
    final Set<String> spf = new TreeSet<>();
    final Set<String> ownSelectors = new TreeSet<>();
    final Set<String> otherSelectors = new TreeSet<>();
    final Set<String> unreportedSelectors = new TreeSet<>();
    final Set<String> spfAlignedDomains = new TreeSet<>();
    final Set<String> otherDkimPass = new TreeSet<>();
    long messages;
    long aligned;
    long dkimAligned;
    long spfAligned;

    Tally(String ip) {
      this.ip = ip;
    }

    void add(DomainFacts facts, String org, Row row) {
      orgs.add(org);
      messages += row.count();
      if (aligned(facts, row)) {
        aligned += row.count();
      }
      if (dkimAligned(facts, row)) {
        dkimAligned += row.count();
      }
      if (spfAligned(facts, row)) {
        spfAligned += row.count();
      }
      for (DkimResult d : row.dkim()) {
        dkim.add(
            "d="
                + d.domain()
                + (d.selector().isEmpty() ? "" : " s=" + d.selector())
                + " "
                + d.result());
        if (dkimAligned(facts, row, d)) {
          if (d.selector().isEmpty()) {
            unreportedSelectors.add(d.domain());
          } else if (facts.ownSelectors().contains(d.selector())) {
            ownSelectors.add(d.selector());
          } else {
            otherSelectors.add(d.selector());
          }
        } else if (d.pass()) {
          otherDkimPass.add(d.domain());
        }
      }
      for (SpfResult s : row.spf()) {
        spf.add(s.domain() + ("helo".equals(s.scope()) ? " (helo)" : "") + " " + s.result());
        if (spfAligned(facts, row, s)) {
          spfAlignedDomains.add(s.domain());
        }
      }
    }
  }
}
