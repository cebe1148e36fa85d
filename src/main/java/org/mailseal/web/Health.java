// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.mailseal.keys.KeyState;

/**
 * The overview's traffic lights: one per concern per domain, each with its state written out and a
 * line saying why, so the page reads the same without colour. Pure: the same data and instant give
 * the same lights.
 */
final class Health {
  /** Queue messages older than this turn the queue light to attention. */
  static final Duration QUEUE_OLD = Duration.ofHours(1);

  /** SPF lookups from which the light warns: two more includes and receivers return permerror. */
  static final int SPF_WARN_LOOKUPS = 8;

  private Health() {}

  enum Light {
    OK("ok", "\u2713"),
    ATTENTION("attention", "!"),
    FAILING("failing", "\u2717"),
    UNKNOWN("unknown", "?");

    final String label;
    final String symbol;

    Light(String label, String symbol) {
      this.label = label;
      this.symbol = symbol;
    }
  }

  record Concern(String name, Light light, String summary) {}

  static List<Concern> of(Dashboard.Domain d) {
    return List.of(dkim(d), dns(d), spf(d.spf()), dmarc(d.dmarc()));
  }

  static Concern dkim(Dashboard.Domain d) {
    Map<KeyState, List<String>> by = new TreeMap<>();
    for (Dashboard.Key k : d.keys()) {
      if (k.state() != KeyState.REVOKED) {
        by.computeIfAbsent(k.state(), s -> new ArrayList<>())
            .add(k.selector() + " (" + k.algorithm() + ")");
      }
    }
    StringBuilder s = new StringBuilder();
    by.forEach(
        (state, sels) ->
            s.append(s.length() == 0 ? "" : "; ")
                .append(state)
                .append(' ')
                .append(String.join(", ", sels)));
    d.nextGeneration().ifPresent(t -> s.append("; next key ").append(Html.day(t)));
    if (!by.containsKey(KeyState.ACTIVE)) {
      return new Concern(
          "DKIM", Light.FAILING, "no ACTIVE key: mail is not signed" + prefixed(s.toString()));
    }
    List<String> unpublished =
        d.keys().stream()
            .filter(k -> k.state() == KeyState.PENDING)
            .filter(k -> !shown(d, k.recordName()))
            .map(Dashboard.Key::selector)
            .toList();
    if (!unpublished.isEmpty() && d.checked().isPresent()) {
      return new Concern(
          "DKIM",
          Light.ATTENTION,
          "PENDING " + String.join(", ", unpublished) + " not in DNS yet; " + s);
    }
    return new Concern("DKIM", Light.OK, s.toString());
  }

  private static boolean shown(Dashboard.Domain d, String recordName) {
    return d.records().stream()
        .anyMatch(
            r ->
                bare(r.name()).equalsIgnoreCase(bare(recordName))
                    && r.state() == Dashboard.DnsState.OK);
  }

  /** A DNS name without the root's trailing dot: record names come both ways. */
  private static String bare(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  static Concern dns(Dashboard.Domain d) {
    int n = d.records().size();
    if (n == 0) {
      return new Concern("DNS", Light.UNKNOWN, "no records to publish");
    }
    if (d.checked().isEmpty()) {
      return new Concern("DNS", Light.UNKNOWN, "not checked yet (" + n + " records)");
    }
    Map<Dashboard.DnsState, Long> counts =
        d.records().stream()
            .collect(
                Collectors.groupingBy(
                    Dashboard.Dns::state,
                    () -> new java.util.EnumMap<>(Dashboard.DnsState.class),
                    Collectors.counting()));
    long ok = counts.getOrDefault(Dashboard.DnsState.OK, 0L);
    String when = "; checked " + Html.minute(d.checked().get());
    if (ok == n) {
      return new Concern("DNS", Light.OK, n + " of " + n + " records ok" + when);
    }
    String bad =
        counts.entrySet().stream()
            .filter(e -> e.getKey() != Dashboard.DnsState.OK)
            .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(java.util.Locale.ROOT))
            .collect(Collectors.joining(", "));
    return new Concern("DNS", Light.FAILING, bad + " of " + n + " records" + when);
  }

  static Concern spf(Dashboard.Spf spf) {
    if (!spf.checked()) {
      return new Concern("SPF", Light.UNKNOWN, "not checked yet");
    }
    if (spf.record().isEmpty()) {
      return new Concern("SPF", Light.FAILING, "no SPF record published");
    }
    String used = spf.lookups() + " of " + Dashboard.Spf.MAX_LOOKUPS + " DNS lookups used";
    if (!spf.problems().isEmpty()) {
      return new Concern("SPF", Light.FAILING, spf.problems().get(0) + "; " + used);
    }
    if (spf.lookups() >= SPF_WARN_LOOKUPS) {
      return new Concern("SPF", Light.ATTENTION, used + ": close to the limit");
    }
    return new Concern("SPF", Light.OK, used);
  }

  static Concern dmarc(Dashboard.Dmarc m) {
    if (m.step().isEmpty()) {
      return new Concern("DMARC", Light.FAILING, "no DMARC record published");
    }
    if (!m.reportsRead()) {
      return new Concern("DMARC", Light.UNKNOWN, m.step() + "; no reports read yet");
    }
    String s = m.step() + "; " + m.verdict();
    return new Concern(
        "DMARC", m.readyForNext() || m.step().equals("p=reject") ? Light.OK : Light.ATTENTION, s);
  }

  static Concern queue(Dashboard.Queue q, Instant now) {
    if (q.depth() == 0) {
      return new Concern("Queue", Light.OK, "empty");
    }
    Duration oldest = q.oldestAccepted().map(t -> Duration.between(t, now)).orElse(Duration.ZERO);
    String s = q.depth() + " waiting, oldest " + Html.age(oldest);
    if (!q.failing().isEmpty()) {
      return new Concern(
          "Queue",
          Light.FAILING,
          s
              + "; failing: "
              + q.failing().stream()
                  .map(Dashboard.Upstream::name)
                  .limit(3)
                  .collect(Collectors.joining(", ")));
    }
    return new Concern("Queue", oldest.compareTo(QUEUE_OLD) > 0 ? Light.ATTENTION : Light.OK, s);
  }

  private static String prefixed(String s) {
    return s.isEmpty() ? "" : "; " + s;
  }
}
