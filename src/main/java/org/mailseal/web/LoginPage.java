// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

/** The login form; its CSRF token is tied to a short-lived cookie set with it. */
final class LoginPage {
  private LoginPage() {}

  static String render(String csrf, String message, String user) {
    Html h = new Html(4096);
    Layout.head(h, "Log in");
    h.raw("<main id=\"main\" class=\"login\"><h1>mailseal</h1>");
    h.raw("<p>Log in with a mailseal user that has the admin role.</p>");
    if (!message.isEmpty()) {
      h.raw("<p class=\"flash error\" role=\"alert\" id=\"login-error\">")
          .text(message)
          .raw("</p>");
    }
    h.raw("<form method=\"post\" action=\"/login\">")
        .raw("<input type=\"hidden\" name=\"csrf\" value=\"")
        .text(csrf)
        .raw("\"><label for=\"user\">User</label>")
        .raw("<input id=\"user\" name=\"user\" autocomplete=\"username\" required value=\"")
        .text(user)
        .raw("\"><label for=\"password\">Password</label>")
        .raw("<input id=\"password\" name=\"password\" type=\"password\"")
        .raw(" autocomplete=\"current-password\" required>")
        .raw("<button type=\"submit\">Log in</button></form>");
    return h.raw("</main></body></html>").toString();
  }
}
