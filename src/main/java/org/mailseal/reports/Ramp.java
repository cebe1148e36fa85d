// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mailseal.reports.AggregateReport.Row;

/**
 * The ramp verdict: whether the next DMARC step is safe, from the reports alone.
 *
 * <ul>
 *   <li>The current step is the policy receivers saw in the latest report, and it has held since
 *       the earliest day of the unbroken run of reports that show it.
 *   <li>Each report counts on the UTC day of its period's middle. A day is clean when aligned mail
 *       is at least {@link RampPolicy#alignedShare()} of the day's non-forged mail (all mail but
 *       the failing mail of sources classified likely forged); a day without such mail is clean.
 *   <li>Clean days run from the day after the last unclean one, or from the step's first day, to
 *       the latest report's day. The next step is ready when they reach {@link
 *       RampPolicy#daysToLeave} and the latest report is no older than {@link
 *       RampPolicy#staleAfterDays()}.
 * </ul>
 */
final class Ramp {
  private Ramp() {}

  static RampVerdict verdict(
      DomainFacts facts,
      List<AggregateReport> reports,
      Map<String, Classification> classes,
      LocalDate today) {
    RampPolicy policy = facts.ramp();
    if (reports.isEmpty()) {
      return new RampVerdict(
          Optional.empty(),
          Optional.empty(),
          false,
          0,
          policy.daysToLeave(RampStep.NONE),
          Optional.empty(),
          Optional.empty(),
          "not yet: no reports for "
              + facts.domain()
              + " (publish rua= in its DMARC record and read what arrives)");
    }
    AggregateReport latest = reports.get(0);
    for (AggregateReport r : reports) {
      if (!r.end().isBefore(latest.end())) {
        latest = r;
      }
    }
    RampStep current = step(latest);
    LocalDate since = day(latest);
    for (int i = reports.size() - 1; i >= 0; i--) {
      AggregateReport r = reports.get(i);
      if (step(r) != current) {
        if (r.end().isAfter(latest.begin())) {
          continue; // an overlapping report of another receiver that saw the change late
        }
        break;
      }
      if (day(r).isBefore(since)) {
        since = day(r);
      }
    }
    TreeMap<LocalDate, long[]> days = new TreeMap<>();
    for (AggregateReport r : reports) {
      long[] d = days.computeIfAbsent(day(r), k -> new long[2]);
      for (Row row : r.rows()) {
        boolean aligned = ReportAnalyzer.aligned(facts, row);
        Classification c = classes.get(row.sourceIp());
        if (!aligned && c != null && c.forged()) {
          continue;
        }
        d[1] += row.count();
        if (aligned) {
          d[0] += row.count();
        }
      }
    }
    Optional<LocalDate> lastDirty = Optional.empty();
    for (Map.Entry<LocalDate, long[]> e : days.descendingMap().entrySet()) {
      long[] d = e.getValue();
      if (d[1] > 0 && (double) d[0] / d[1] < policy.alignedShare()) {
        lastDirty = Optional.of(e.getKey());
        break;
      }
    }
    LocalDate lastDay = days.lastKey();
    final LocalDate stepSince = since;
    LocalDate start = since;
    if (lastDirty.isPresent() && !lastDirty.get().isBefore(start)) {
      start = lastDirty.get().plusDays(1);
    }
    int clean = (int) Math.max(0, ChronoUnit.DAYS.between(start, lastDay.plusDays(1)));
    int needed = policy.daysToLeave(current);
    Optional<RampStep> next = current.next();
    String threshold = percent(policy.alignedShare());
    String summary;
    boolean ready = false;
    if (next.isEmpty()) {
      summary =
          "at p=reject, the end of the ramp: keep reading the reports for senders that start"
              + " failing";
    } else if (ChronoUnit.DAYS.between(lastDay, today) > policy.staleAfterDays()) {
      summary = "not yet for " + next.get() + ": no reports since " + lastDay;
    } else if (clean >= needed) {
      ready = true;
      summary =
          "ready for "
              + next.get()
              + ": at least "
              + threshold
              + " of non-forged mail aligned on each of the last "
              + clean
              + " days at "
              + current
              + " (since "
              + start
              + ")";
    } else {
      summary =
          "not yet for "
              + next.get()
              + ": "
              + clean
              + " of "
              + needed
              + " clean days at "
              + current
              + " (at least "
              + threshold
              + " of non-forged mail aligned each day)"
              + lastDirty
                  .filter(d -> !d.isBefore(stepSince))
                  .map(d -> "; last day below: " + d + " (" + percentOf(d, days) + ")")
                  .orElse("");
    }
    return new RampVerdict(
        Optional.of(current), next, ready, clean, needed, lastDirty, Optional.of(lastDay), summary);
  }

  private static String percentOf(LocalDate d, Map<LocalDate, long[]> days) {
    long[] v = days.get(d);
    return percent((double) v[0] / v[1]);
  }

  static String percent(double share) {
    double p = share * 100;
    return (p == Math.rint(p)
            ? String.format(Locale.ROOT, "%.0f", p)
            : String.format(Locale.ROOT, "%.1f", Math.floor(p * 10) / 10))
        + " %";
  }

  static RampStep step(AggregateReport r) {
    return RampStep.of(r.policy().p(), r.policy().testing());
  }

  /** The UTC day a report counts on: that of its period's middle. */
  static LocalDate day(AggregateReport r) {
    Instant mid =
        r.begin().plusSeconds((r.end().getEpochSecond() - r.begin().getEpochSecond()) / 2);
    return LocalDate.ofInstant(mid, ZoneOffset.UTC);
  }
}
