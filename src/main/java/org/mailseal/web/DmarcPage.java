// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.util.List;

/** Per domain: the ramp step and verdict, aligned vs unaligned per day, and the sources table. */
final class DmarcPage {
  private DmarcPage() {}

  static String render(Sessions.Session s, List<Dashboard.Domain> domains) {
    Html h = Layout.begin("DMARC", "/dmarc", s);
    for (Dashboard.Domain d : domains) {
      Dashboard.Dmarc m = d.dmarc();
      String id = Layout.id("m-", d.name());
      h.raw("<section class=\"card\" aria-labelledby=\"")
          .text(id)
          .raw("\"><h2 id=\"")
          .text(id)
          .raw("\">")
          .text(d.name())
          .raw("</h2><dl class=\"concerns\">");
      h.raw("<div class=\"concern\"><dt>Step</dt><dd>")
          .text(m.step().isEmpty() ? "no DMARC record published" : m.step())
          .raw("</dd></div>");
      if (!m.reportsRead()) {
        h.raw("</dl><p class=\"empty no-reports\">No reports read yet.</p></section>");
        continue;
      }
      h.raw("<div class=\"concern\"><dt>Next step</dt><dd>")
          .text(m.verdict())
          .raw("</dd></div></dl>");
      h.raw("<div class=\"picture\">");
      DmarcChart.render(h, d.name(), m.days(), id + "-svg");
      h.raw("</div><p class=\"legend\"><span class=\"sw aligned\"></span> aligned ")
          .raw("<span class=\"sw unaligned\"></span> unaligned</p>");
      h.raw("<details><summary>Numbers per day</summary><div class=\"scroll\"><table>")
          .raw("<thead><tr><th scope=\"col\">Day</th><th scope=\"col\">Aligned</th>")
          .raw("<th scope=\"col\">Unaligned</th></tr></thead><tbody>");
      for (Dashboard.DmarcDay day : m.days()) {
        h.raw("<tr><th scope=\"row\">")
            .text(day.day())
            .raw("</th><td>")
            .number(day.aligned())
            .raw("</td><td>")
            .number(day.unaligned())
            .raw("</td></tr>");
      }
      h.raw("</tbody></table></div></details>");
      h.raw("<div class=\"scroll\"><table class=\"sources\"><caption>Sources</caption><thead><tr>")
          .raw("<th scope=\"col\">Source</th><th scope=\"col\">What it is</th>")
          .raw("<th scope=\"col\">Messages</th><th scope=\"col\">Aligned</th>")
          .raw("<th scope=\"col\">Verdict</th></tr></thead><tbody>");
      for (Dashboard.DmarcSource src : m.sources()) {
        h.raw("<tr><th scope=\"row\"><code>")
            .text(src.source())
            .raw("</code></th><td>")
            .text(src.name())
            .raw("</td><td>")
            .number(src.messages())
            .raw("</td><td>")
            .number(src.aligned())
            .raw("</td><td>")
            .text(src.verdict())
            .raw("</td></tr>");
      }
      h.raw("</tbody></table></div></section>");
    }
    return Layout.end(h);
  }
}
