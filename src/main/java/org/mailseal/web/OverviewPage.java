// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.time.Instant;
import java.util.List;

/** Per domain a traffic light per concern (DKIM, DNS, SPF, DMARC), and one for the queue. */
final class OverviewPage {
  private OverviewPage() {}

  static String render(
      Sessions.Session s, List<Dashboard.Domain> domains, Dashboard.Queue queue, Instant now) {
    Html h = Layout.begin("Overview", "/", s);
    if (domains.isEmpty()) {
      h.el("p", "empty", "No domains are configured.");
    }
    h.raw("<div class=\"cards\">");
    for (Dashboard.Domain d : domains) {
      h.raw("<section class=\"card domain\" aria-labelledby=\"")
          .text(Layout.id("d-", d.name()))
          .raw("\"><h2 id=\"")
          .text(Layout.id("d-", d.name()))
          .raw("\">")
          .text(d.name())
          .raw("</h2><dl class=\"concerns\">");
      for (Health.Concern c : Health.of(d)) {
        concern(h, c);
      }
      h.raw("</dl></section>");
    }
    h.raw("<section class=\"card\" aria-labelledby=\"q-h\"><h2 id=\"q-h\">Queue</h2>")
        .raw("<dl class=\"concerns\">");
    concern(h, Health.queue(queue, now));
    h.raw("</dl><p><a href=\"/queue\">Open the queue</a></p></section></div>");
    return Layout.end(h);
  }

  private static void concern(Html h, Health.Concern c) {
    h.raw("<div class=\"concern\" data-concern=\"")
        .text(c.name())
        .raw("\"><dt>")
        .text(c.name())
        .raw("</dt><dd>");
    Layout.light(h, c.light());
    h.raw(" <span class=\"summary\">").text(c.summary()).raw("</span></dd></div>");
  }
}
