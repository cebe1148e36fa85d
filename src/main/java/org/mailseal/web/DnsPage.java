// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.util.List;

/**
 * Per domain: each record to publish with what the last check found, a "check now" form, and the
 * records in the three formats of {@code dns records} (zone file, table, JSON).
 */
final class DnsPage {
  private DnsPage() {}

  static String render(Sessions.Session s, List<Dashboard.Domain> domains) {
    Html h = Layout.begin("DNS", "/dns", s);
    for (Dashboard.Domain d : domains) {
      String id = Layout.id("n-", d.name());
      h.raw("<section class=\"card\" aria-labelledby=\"")
          .text(id)
          .raw("\"><h2 id=\"")
          .text(id)
          .raw("\">")
          .text(d.name())
          .raw("</h2><form method=\"post\" action=\"/dns/check\" class=\"inline\">");
      Layout.csrf(h, s);
      h.raw("<input type=\"hidden\" name=\"domain\" value=\"")
          .text(d.name())
          .raw("\"><button type=\"submit\" class=\"check-now\">Check now</button> ")
          .el(
              "span",
              "checked",
              d.checked().map(t -> "Last checked " + Html.minute(t)).orElse("Not checked yet"))
          .raw("</form>");
      h.raw("<div class=\"scroll\"><table class=\"records\"><caption>")
          .text("Records of " + d.name())
          .raw("</caption><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Type</th>")
          .raw(
              "<th scope=\"col\">Status</th><th scope=\"col\">What it is</th></tr></thead><tbody>");
      for (Dashboard.Dns r : d.records()) {
        h.raw("<tr data-name=\"")
            .text(r.name())
            .raw("\" data-state=\"")
            .text(r.state())
            .raw("\"><th scope=\"row\"><code>")
            .text(r.name())
            .raw("</code></th><td>")
            .text(r.type())
            .raw("</td><td>");
        Layout.state(h, r.state());
        if (!r.detail().isEmpty()) {
          h.raw("<div class=\"detail\">").text(r.detail()).raw("</div>");
        }
        h.raw("</td><td>").text(r.comment()).raw("</td></tr>");
      }
      h.raw("</tbody></table></div>");
      format(h, "Zone file (bind)", d.formats().bind(), true);
      format(h, "Table", d.formats().table(), false);
      format(h, "JSON", d.formats().json(), false);
      h.raw("</section>");
    }
    return Layout.end(h);
  }

  private static void format(Html h, String title, String text, boolean open) {
    h.raw(open ? "<details open>" : "<details>")
        .raw("<summary>")
        .text(title)
        .raw("</summary><pre class=\"zone\">")
        .text(text)
        .raw("</pre></details>");
  }
}
