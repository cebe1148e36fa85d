// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.time.Duration;
import java.time.Instant;

/**
 * The queue: depth, oldest message and failing upstreams, then each message with its recipients,
 * attempts and last replies, and retry and bounce buttons. A button leads to a confirmation page (a
 * second POST), so nothing happens on one stray click and no script is needed.
 */
final class QueuePage {
  /** Messages listed on the page; the depth line says when there are more. */
  static final int SHOWN = 200;

  private QueuePage() {}

  static String render(Sessions.Session s, Dashboard.Queue q, Instant now) {
    Html h = Layout.begin("Queue", "/queue", s);
    h.raw("<p class=\"depth\">")
        .text(
            q.depth()
                + " message(s) waiting"
                + q.oldestAccepted()
                    .map(t -> ", the oldest for " + Html.age(Duration.between(t, now)))
                    .orElse("")
                + (q.messages().size() < q.depth()
                    ? "; the first " + q.messages().size() + " are shown"
                    : ""))
        .raw("</p>");
    if (!q.failing().isEmpty()) {
      h.raw("<div class=\"scroll\"><table class=\"upstreams\"><caption>Failing upstreams")
          .raw("</caption><thead><tr><th scope=\"col\">Upstream</th>")
          .raw("<th scope=\"col\">Recipients waiting</th><th scope=\"col\">Last reply</th>")
          .raw("</tr></thead><tbody>");
      for (Dashboard.Upstream u : q.failing()) {
        h.raw("<tr><th scope=\"row\">")
            .text(u.name())
            .raw("</th><td>")
            .number(u.recipients())
            .raw("</td><td class=\"reply\">")
            .text(u.lastReply())
            .raw("</td></tr>");
      }
      h.raw("</tbody></table></div>");
    }
    if (q.messages().isEmpty()) {
      h.el("p", "empty", "The queue is empty.");
      return Layout.end(h);
    }
    h.raw("<div class=\"scroll\"><table class=\"queue\"><caption>Messages</caption><thead><tr>")
        .raw("<th scope=\"col\">Queue id</th><th scope=\"col\">From</th>")
        .raw("<th scope=\"col\">Recipients and last reply</th><th scope=\"col\">Attempts</th>")
        .raw("<th scope=\"col\">Next attempt</th><th scope=\"col\">Actions</th>")
        .raw("</tr></thead><tbody>");
    for (Dashboard.Message m : q.messages()) {
      h.raw("<tr data-id=\"")
          .text(m.id())
          .raw("\"><th scope=\"row\"><code>")
          .text(m.id())
          .raw("</code><div class=\"detail\">")
          .text("accepted " + Html.minute(m.accepted()))
          .raw("</div></th><td>")
          .text(m.sender().isEmpty() ? "<> (a DSN)" : m.sender())
          .raw("</td><td><ul class=\"rcpts\">");
      for (Dashboard.Recipient r : m.recipients()) {
        h.raw("<li>")
            .text(r.address())
            .raw(" <span class=\"rstate\">")
            .text(r.state())
            .raw("</span>");
        if (!r.lastReply().isEmpty()) {
          h.raw("<div class=\"reply\">").text(r.lastReply()).raw("</div>");
        }
        h.raw("</li>");
      }
      h.raw("</ul></td><td>")
          .number(m.attempts())
          .raw("</td><td>")
          .text(m.bounceRequested() ? "bounce requested" : Html.minute(m.nextAttempt()))
          .raw("</td><td class=\"actions\">");
      action(h, s, "/queue/retry", m.id(), "Retry");
      action(h, s, "/queue/bounce", m.id(), "Bounce");
      h.raw("</td></tr>");
    }
    h.raw("</tbody></table></div>");
    return Layout.end(h);
  }

  private static void action(Html h, Sessions.Session s, String path, String id, String label) {
    h.raw("<form method=\"post\" action=\"").text(path).raw("\">");
    Layout.csrf(h, s);
    h.raw("<input type=\"hidden\" name=\"id\" value=\"")
        .text(id)
        .raw("\"><button type=\"submit\" aria-label=\"")
        .text(label + " " + id)
        .raw("\">")
        .text(label + "\u2026")
        .raw("</button></form>");
  }

  /** Asks to confirm an action on one message; the confirming form repeats it with confirm=yes. */
  static String confirm(Sessions.Session s, String path, String verb, Dashboard.Message m) {
    Html h = Layout.begin(verb + " " + m.id() + "?", "/queue", s);
    String what =
        verb.equals("Bounce")
            ? "Every pending recipient fails now and the sender gets a delivery status"
                + " notification (DSN). This cannot be undone."
            : "The message is tried again now.";
    h.el("p", "", what);
    h.raw("<ul class=\"rcpts\">");
    for (Dashboard.Recipient r : m.recipients()) {
      h.raw("<li>").text(r.address() + " " + r.state()).raw("</li>");
    }
    h.raw("</ul><form method=\"post\" action=\"").text(path).raw("\">");
    Layout.csrf(h, s);
    h.raw("<input type=\"hidden\" name=\"id\" value=\"")
        .text(m.id())
        .raw("\"><input type=\"hidden\" name=\"confirm\" value=\"yes\">")
        .raw("<button type=\"submit\" class=\"confirm danger\">")
        .text("Yes, " + verb.toLowerCase(java.util.Locale.ROOT) + " " + m.id())
        .raw("</button> <a href=\"/queue\">Cancel</a></form>");
    return Layout.end(h);
  }
}
