// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mailseal.keys.KeyState;

/**
 * A domain's keys as an SVG timeline, made on the server: a lane per algorithm, and in it one bar
 * per key ({@code <g class="key" data-selector data-state>}) coloured by state from its creation to
 * now, then dashed into the scheduled future: a PENDING key up to its earliest activation, a
 * RETIRED key up to the end of its grace period, an ACTIVE key on to the chart's end. Lines mark
 * now and the next key generation. Each bar is labelled with its selector and state in words, so
 * the picture reads without colour. Colours come from the stylesheet (no inline style: the CSP
 * forbids it).
 */
final class KeyTimeline {
  static final int WIDTH = 800;
  private static final int PAD = 12;
  private static final int AXIS = 26;
  private static final int LANE = 22;
  private static final int ROW = 36;
  private static final long[] TICK_DAYS = {1, 2, 7, 14, 30, 61, 91, 182, 365, 730};

  private KeyTimeline() {}

  /** Appends the timeline of {@code d}; {@code id} makes its element ids unique on the page. */
  static void render(Html h, Dashboard.Domain d, Instant now, String id) {
    if (d.keys().isEmpty()) {
      h.el("p", "empty", "No keys yet for " + d.name() + ".");
      return;
    }
    Instant start = now;
    Instant end = now.plus(Duration.ofDays(14));
    for (Dashboard.Key k : d.keys()) {
      start = min(start, k.created());
      end = max(end, k.earliestActivation().orElse(end));
      end = max(end, k.graceEnds().orElse(end));
    }
    end = max(end, d.nextGeneration().orElse(end));
    long span = Math.max(Duration.between(start, end).getSeconds(), 86400);
    start = start.minusSeconds(span / 20);
    end = end.plusSeconds(span / 12);
    Scale x = new Scale(start, end);

    Map<String, List<Dashboard.Key>> lanes = new LinkedHashMap<>();
    for (String a : List.of("rsa", "ed25519")) {
      lanes.put(a, new ArrayList<>());
    }
    d.keys().stream()
        .sorted(Comparator.comparing(Dashboard.Key::created))
        .forEach(k -> lanes.computeIfAbsent(k.algorithm(), a -> new ArrayList<>()).add(k));
    lanes.values().removeIf(List::isEmpty);
    int height = AXIS + lanes.size() * LANE + d.keys().size() * ROW + 24;

    h.raw("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
        .number(WIDTH)
        .raw(" ")
        .number(height)
        .raw("\" role=\"img\" aria-labelledby=\"")
        .text(id)
        .raw("-t\"><title id=\"")
        .text(id)
        .raw("-t\">")
        .text("Key timeline of " + d.name() + ": " + d.keys().size() + " keys")
        .raw("</title>");
    ticks(h, x, height);
    int y = AXIS;
    for (Map.Entry<String, List<Dashboard.Key>> lane : lanes.entrySet()) {
      h.raw("<g class=\"lane\" data-algorithm=\"").text(lane.getKey()).raw("\">");
      h.raw("<line class=\"lane-rule\" x1=\"0\" x2=\"")
          .number(WIDTH)
          .raw("\" y1=\"")
          .number(y)
          .raw("\" y2=\"")
          .number(y)
          .raw("\"/>");
      h.raw("<text class=\"lane-label\" x=\"4\" y=\"")
          .number(y + 16)
          .raw("\">")
          .text(lane.getKey() + " keys")
          .raw("</text>");
      y += LANE;
      for (Dashboard.Key k : lane.getValue()) {
        bar(h, k, now, x, y, end);
        y += ROW;
      }
      h.raw("</g>");
    }
    // Two label rows under the lanes, so "now" and a near "next key" never print over each other.
    marker(h, x.at(now), height, height - 18, "now", "now");
    d.nextGeneration()
        .ifPresent(t -> marker(h, x.at(t), height, height - 3, "next", "next key " + Html.day(t)));
    h.raw("</svg>");
  }

  private static void bar(Html h, Dashboard.Key k, Instant now, Scale x, int y, Instant end) {
    h.raw("<g class=\"key\" data-selector=\"")
        .text(k.selector())
        .raw("\" data-state=\"")
        .text(k.state())
        .raw("\"><title>")
        .text(describe(k))
        .raw("</title>");
    Instant activated = k.activated().orElse(null);
    Instant retired = k.retired().orElse(null);
    Instant revoked = k.revoked().orElse(null);
    segment(h, x, y, k.created(), first(activated, retired, revoked, now), "s-pending");
    if (activated != null) {
      segment(h, x, y, activated, first(retired, revoked, now), "s-active");
    }
    if (retired != null) {
      segment(h, x, y, retired, first(revoked, now), "s-retired");
    }
    if (revoked != null) {
      segment(h, x, y, revoked, max(now, revoked.plus(Duration.ofHours(12))), "s-revoked");
    }
    switch (k.state()) {
      case PENDING:
        k.earliestActivation()
            .filter(t -> t.isAfter(now))
            .ifPresent(t -> plan(h, x, y, now, t, "p-pending", "earliest activation"));
        break;
      case ACTIVE:
        plan(h, x, y, now, end, "p-active", "");
        break;
      case RETIRED:
        k.graceEnds()
            .filter(t -> t.isAfter(now))
            .ifPresent(t -> plan(h, x, y, now, t, "p-retired", "end of grace"));
        break;
      default:
        break;
    }
    double lx = x.at(k.created());
    boolean right = lx > WIDTH * 0.62;
    h.raw("<text class=\"key-label\" x=\"")
        .raw(fmt(right ? Math.min(WIDTH - 4, x.at(now)) : lx + 2))
        .raw("\" y=\"")
        .number(y + 12)
        .raw(right ? "\" text-anchor=\"end\">" : "\">")
        .text(k.selector() + " \u00b7 " + k.state())
        .raw("</text></g>");
  }

  private static void segment(Html h, Scale x, int y, Instant from, Instant to, String cls) {
    double x1 = x.at(from);
    double w = Math.max(2, x.at(to) - x1);
    h.raw("<rect class=\"seg ")
        .raw(cls)
        .raw("\" x=\"")
        .raw(fmt(x1))
        .raw("\" y=\"")
        .number(y + 16)
        .raw("\" width=\"")
        .raw(fmt(w))
        .raw("\" height=\"14\"/>");
  }

  private static void plan(
      Html h, Scale x, int y, Instant from, Instant to, String cls, String label) {
    double x1 = x.at(from);
    double x2 = x.at(to);
    h.raw("<rect class=\"plan ")
        .raw(cls)
        .raw("\" x=\"")
        .raw(fmt(x1))
        .raw("\" y=\"")
        .number(y + 17)
        .raw("\" width=\"")
        .raw(fmt(Math.max(2, x2 - x1)))
        .raw("\" height=\"12\"/>");
    if (!label.isEmpty()) {
      h.raw("<line class=\"event\" x1=\"")
          .raw(fmt(x2))
          .raw("\" x2=\"")
          .raw(fmt(x2))
          .raw("\" y1=\"")
          .number(y + 14)
          .raw("\" y2=\"")
          .number(y + 32)
          .raw("\"><title>")
          .text(label + " " + Html.minute(to))
          .raw("</title></line>");
    }
  }

  private static void marker(Html h, double at, int height, int labelY, String cls, String label) {
    h.raw("<g class=\"marker m-")
        .raw(cls)
        .raw("\"><line x1=\"")
        .raw(fmt(at))
        .raw("\" x2=\"")
        .raw(fmt(at))
        .raw("\" y1=\"")
        .number(AXIS - 6)
        .raw("\" y2=\"")
        .number(height)
        .raw("\"/><text x=\"")
        .raw(fmt(Math.min(WIDTH - 4, at + 3)))
        .raw("\" y=\"")
        .number(labelY)
        .raw(at > WIDTH * 0.8 ? "\" text-anchor=\"end\">" : "\">")
        .text(label)
        .raw("</text></g>");
  }

  private static void ticks(Html h, Scale x, int height) {
    long days = Math.max(1, Duration.between(x.start, x.end).toDays());
    long step = TICK_DAYS[TICK_DAYS.length - 1];
    for (long s : TICK_DAYS) {
      if (days / s <= 6) {
        step = s;
        break;
      }
    }
    Instant t = x.start.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
    h.raw("<g class=\"ticks\">");
    while (t.isBefore(x.end)) {
      double at = x.at(t);
      if (at > 30 && at < WIDTH - 30) {
        h.raw("<line x1=\"")
            .raw(fmt(at))
            .raw("\" x2=\"")
            .raw(fmt(at))
            .raw("\" y1=\"")
            .number(AXIS - 8)
            .raw("\" y2=\"")
            .number(height)
            .raw("\"/><text x=\"")
            .raw(fmt(at))
            .raw("\" y=\"12\" text-anchor=\"middle\">")
            .text(Html.day(t))
            .raw("</text>");
      }
      t = t.plus(Duration.ofDays(step));
    }
    h.raw("</g>");
  }

  static String describe(Dashboard.Key k) {
    StringBuilder s =
        new StringBuilder(k.selector())
            .append(' ')
            .append(k.algorithm())
            .append(k.algorithm().equals("rsa") && k.bits() > 0 ? "-" + k.bits() : "")
            .append(' ')
            .append(k.state())
            .append(": created ")
            .append(Html.minute(k.created()));
    k.activated().ifPresent(t -> s.append(", active from ").append(Html.minute(t)));
    k.retired().ifPresent(t -> s.append(", retired ").append(Html.minute(t)));
    k.revoked().ifPresent(t -> s.append(", revoked ").append(Html.minute(t)));
    if (k.state() == KeyState.PENDING) {
      k.earliestActivation()
          .ifPresent(t -> s.append(", earliest activation ").append(Html.minute(t)));
    }
    if (k.state() == KeyState.RETIRED) {
      k.graceEnds().ifPresent(t -> s.append(", grace ends ").append(Html.minute(t)));
    }
    return s.toString();
  }

  private static Instant first(Instant... candidates) {
    for (Instant c : candidates) {
      if (c != null) {
        return c;
      }
    }
    throw new IllegalArgumentException("no instant");
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  static String fmt(double v) {
    return String.valueOf(Math.round(v * 10) / 10.0);
  }

  /** Maps instants to x positions. */
  private static final class Scale {
    final Instant start;
    final Instant end;
    private final double perSecond;

    Scale(Instant start, Instant end) {
      this.start = start;
      this.end = end;
      this.perSecond = (WIDTH - 2.0 * PAD) / Math.max(1, Duration.between(start, end).getSeconds());
    }

    double at(Instant t) {
      double v = PAD + Duration.between(start, t).getSeconds() * perSecond;
      return Math.max(0, Math.min(WIDTH, v));
    }
  }
}
