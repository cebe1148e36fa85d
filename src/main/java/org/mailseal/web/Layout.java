// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.util.List;

/**
 * The frame of every page: the head (one stylesheet and one deferred script, both served by this
 * listener: nothing from outside, no inline script or style), a skip link, the navigation with the
 * current page marked for screen readers, and the logout form.
 */
final class Layout {
  /** Navigation entries: path and label. */
  static final List<String[]> NAV =
      List.of(
          new String[] {"/", "Overview"},
          new String[] {"/keys", "Keys"},
          new String[] {"/dns", "DNS"},
          new String[] {"/dmarc", "DMARC"},
          new String[] {"/queue", "Queue"});

  private Layout() {}

  /** Opens a page; the caller appends the content of {@code <main>}, then calls {@link #end}. */
  static Html begin(String title, String path, Sessions.Session session) {
    Html h = new Html(16384);
    head(h, title);
    h.raw("<header><a class=\"brand\" href=\"/\">mailseal</a><nav aria-label=\"Pages\"><ul>");
    for (String[] n : NAV) {
      h.raw("<li><a href=\"").text(n[0]).raw("\"");
      if (n[0].equals(path)) {
        h.raw(" aria-current=\"page\"");
      }
      h.raw(">").text(n[1]).raw("</a></li>");
    }
    h.raw("</ul></nav><form class=\"logout\" method=\"post\" action=\"/logout\">");
    csrf(h, session);
    h.raw("<button type=\"submit\">Log out ").text(session.user).raw("</button></form></header>");
    h.raw("<main id=\"main\"><h1>").text(title).raw("</h1>");
    String flash = session.takeFlash();
    if (!flash.isEmpty()) {
      h.raw("<p class=\"flash\" role=\"status\">").text(flash).raw("</p>");
    }
    return h;
  }

  static void head(Html h, String title) {
    h.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .raw("<title>")
        .text(title)
        .raw(" \u00b7 mailseal</title><link rel=\"stylesheet\" href=\"/static/app.css\">")
        .raw("<script src=\"/static/app.js\" defer></script></head><body>")
        .raw("<a class=\"skip\" href=\"#main\">Skip to content</a>");
  }

  static String end(Html h) {
    return h.raw("</main></body></html>").toString();
  }

  static void csrf(Html h, Sessions.Session session) {
    h.raw("<input type=\"hidden\" name=\"csrf\" value=\"").text(session.csrf).raw("\">");
  }

  /** A traffic light: symbol and state name in words, coloured by class. */
  static void light(Html h, Health.Light light) {
    h.raw("<span class=\"light l-")
        .raw(light.label)
        .raw("\"><span aria-hidden=\"true\">")
        .text(light.symbol)
        .raw("</span> ")
        .text(light.label)
        .raw("</span>");
  }

  /** A DNS state in words, coloured by class. */
  static void state(Html h, Dashboard.DnsState s) {
    String name = s.name().toLowerCase(java.util.Locale.ROOT);
    h.raw("<span class=\"dns dns-").raw(name).raw("\">").text(name).raw("</span>");
  }

  /** An id for an element from a domain name (letters, digits and hyphens only). */
  static String id(String prefix, String name) {
    StringBuilder sb = new StringBuilder(prefix);
    for (char c : name.toCharArray()) {
      sb.append(Character.isLetterOrDigit(c) && c < 128 ? c : '-');
    }
    return sb.toString();
  }
}
