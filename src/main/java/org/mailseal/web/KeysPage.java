// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.time.Instant;
import java.util.List;
import org.mailseal.keys.KeyState;

/** Per domain: the key timeline, the keys as a table, and the record to publish per PENDING key. */
final class KeysPage {
  private KeysPage() {}

  static String render(Sessions.Session s, List<Dashboard.Domain> domains, Instant now) {
    Html h = Layout.begin("Keys", "/keys", s);
    h.raw("<p class=\"legend\"><span class=\"sw s-pending\"></span> PENDING ")
        .raw("<span class=\"sw s-active\"></span> ACTIVE ")
        .raw("<span class=\"sw s-retired\"></span> RETIRED ")
        .raw("<span class=\"sw s-revoked\"></span> REVOKED ")
        .raw("<span class=\"sw plan\"></span> scheduled</p>");
    int n = 0;
    for (Dashboard.Domain d : domains) {
      String id = Layout.id("k-", d.name());
      h.raw("<section class=\"card\" aria-labelledby=\"")
          .text(id)
          .raw("\"><h2 id=\"")
          .text(id)
          .raw("\">")
          .text(d.name())
          .raw("</h2>");
      d.nextGeneration().ifPresent(t -> h.el("p", "", "Next key generation: " + Html.minute(t)));
      h.raw("<div class=\"picture\">");
      KeyTimeline.render(h, d, now, id + "-svg");
      h.raw("</div>");
      if (!d.keys().isEmpty()) {
        table(h, d.keys());
      }
      for (Dashboard.Key k : d.keys()) {
        if (k.state() == KeyState.PENDING) {
          String rec = "rec-" + n++;
          h.raw("<div class=\"publish\"><h3>")
              .text("Publish for " + k.selector())
              .raw("</h3><p>TXT record at <code>")
              .text(k.recordName())
              .raw("</code>:</p><pre class=\"record\" id=\"")
              .text(rec)
              .raw("\">")
              .text(k.record())
              .raw("</pre><button type=\"button\" class=\"copy\" hidden data-copy=\"")
              .text(rec)
              .raw("\">Copy record</button></div>");
        }
      }
      h.raw("</section>");
    }
    return Layout.end(h);
  }

  private static void table(Html h, List<Dashboard.Key> keys) {
    h.raw("<div class=\"scroll\"><table class=\"keys\"><caption>Keys</caption><thead><tr>")
        .raw("<th scope=\"col\">Selector</th><th scope=\"col\">Algorithm</th>")
        .raw("<th scope=\"col\">State</th><th scope=\"col\">Created</th>")
        .raw("<th scope=\"col\">Active from</th><th scope=\"col\">Next step</th>")
        .raw("</tr></thead><tbody>");
    for (Dashboard.Key k : keys) {
      h.raw("<tr data-selector=\"").text(k.selector()).raw("\"><th scope=\"row\">");
      h.text(k.selector()).raw("</th><td>");
      h.text(k.algorithm() + (k.algorithm().equals("rsa") && k.bits() > 0 ? "-" + k.bits() : ""))
          .raw("</td>");
      h.raw("<td class=\"state st-")
          .text(k.state().name().toLowerCase(java.util.Locale.ROOT))
          .raw("\">")
          .text(k.state())
          .raw("</td><td>")
          .text(Html.minute(k.created()))
          .raw("</td><td>")
          .text(Html.minuteOr(k.activated(), "\u2014"))
          .raw("</td><td>")
          .text(next(k))
          .raw("</td></tr>");
    }
    h.raw("</tbody></table></div>");
  }

  private static String next(Dashboard.Key k) {
    switch (k.state()) {
      case PENDING:
        return k.earliestActivation()
            .map(t -> "ACTIVE once in DNS, not before " + Html.minute(t))
            .orElse("ACTIVE once in DNS");
      case ACTIVE:
        return "RETIRED when the next key is ACTIVE";
      case RETIRED:
        return k.graceEnds().map(t -> "REVOKED at " + Html.minute(t)).orElse("REVOKED");
      default:
        return k.revoked().map(t -> "revoked " + Html.minute(t)).orElse("\u2014");
    }
  }
}
