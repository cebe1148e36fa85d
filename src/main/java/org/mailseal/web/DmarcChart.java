// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.util.List;

/**
 * Aligned and unaligned DMARC volume per day as stacked SVG bars, made on the server. Each day is a
 * {@code <g class="day">} with a title giving both numbers, and the page prints the same numbers in
 * a table, so the picture is not the only way to read them.
 */
final class DmarcChart {
  static final int MAX_DAYS = 60;
  private static final int WIDTH = 800;
  private static final int HEIGHT = 220;
  private static final int LEFT = 48;
  private static final int TOP = 12;
  private static final int BOTTOM = 24;

  private DmarcChart() {}

  static void render(Html h, String domain, List<Dashboard.DmarcDay> all, String id) {
    List<Dashboard.DmarcDay> days =
        all.size() > MAX_DAYS ? all.subList(all.size() - MAX_DAYS, all.size()) : all;
    long top = 1;
    for (Dashboard.DmarcDay d : days) {
      top = Math.max(top, d.aligned() + d.unaligned());
    }
    double plot = HEIGHT - TOP - BOTTOM;
    double slot = (WIDTH - LEFT - 8.0) / Math.max(1, days.size());
    double bar = Math.max(1, slot * 0.7);
    h.raw("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
        .number(WIDTH)
        .raw(" ")
        .number(HEIGHT)
        .raw("\" role=\"img\" aria-labelledby=\"")
        .text(id)
        .raw("-t\"><title id=\"")
        .text(id)
        .raw("-t\">")
        .text("DMARC volume per day for " + domain + ", aligned and unaligned")
        .raw("</title>");
    h.raw("<g class=\"axis\"><line x1=\"")
        .number(LEFT)
        .raw("\" x2=\"")
        .number(WIDTH)
        .raw("\" y1=\"")
        .raw(KeyTimeline.fmt(TOP + plot))
        .raw("\" y2=\"")
        .raw(KeyTimeline.fmt(TOP + plot))
        .raw("\"/><text x=\"")
        .number(LEFT - 4)
        .raw("\" y=\"")
        .number(TOP + 10)
        .raw("\" text-anchor=\"end\">")
        .number(top)
        .raw("</text><text x=\"")
        .number(LEFT - 4)
        .raw("\" y=\"")
        .raw(KeyTimeline.fmt(TOP + plot))
        .raw("\" text-anchor=\"end\">0</text></g>");
    for (int i = 0; i < days.size(); i++) {
      Dashboard.DmarcDay d = days.get(i);
      double x = LEFT + i * slot + (slot - bar) / 2;
      double ha = plot * d.aligned() / top;
      double hu = plot * d.unaligned() / top;
      double base = TOP + plot;
      h.raw("<g class=\"day\" data-day=\"")
          .text(d.day())
          .raw("\"><title>")
          .text(d.day() + ": " + d.aligned() + " aligned, " + d.unaligned() + " unaligned")
          .raw("</title>");
      rect(h, "aligned", x, base - ha, bar, ha);
      rect(h, "unaligned", x, base - ha - hu, bar, hu);
      h.raw("</g>");
    }
    if (!days.isEmpty()) {
      label(h, LEFT + slot / 2, days.get(0).day().toString(), "start");
      label(
          h, LEFT + (days.size() - 0.5) * slot, days.get(days.size() - 1).day().toString(), "end");
    }
    h.raw("</svg>");
  }

  private static void rect(Html h, String cls, double x, double y, double w, double ht) {
    if (ht <= 0) {
      return;
    }
    h.raw("<rect class=\"")
        .raw(cls)
        .raw("\" x=\"")
        .raw(KeyTimeline.fmt(x))
        .raw("\" y=\"")
        .raw(KeyTimeline.fmt(y))
        .raw("\" width=\"")
        .raw(KeyTimeline.fmt(w))
        .raw("\" height=\"")
        .raw(KeyTimeline.fmt(Math.max(0.5, ht)))
        .raw("\"/>");
  }

  private static void label(Html h, double x, String text, String anchor) {
    h.raw("<text class=\"day-label\" x=\"")
        .raw(KeyTimeline.fmt(x))
        .raw("\" y=\"")
        .number(HEIGHT - 6)
        .raw("\" text-anchor=\"")
        .raw(anchor)
        .raw("\">")
        .text(text)
        .raw("</text>");
  }
}
