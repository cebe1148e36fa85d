// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request of the dashboard. Without a live session a page redirects to the login form and an
 * action answers 403; an action (a POST) also needs the session's CSRF token and, when the browser
 * names one, the dashboard's own origin. Every answer carries a Content-Security-Policy that allows
 * nothing from outside this listener and no inline script or style.
 */
final class Routes implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(Routes.class);
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
          + " connect-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  static final int MAX_FORM = 16 * 1024;
  private static final java.util.regex.Pattern TOKEN =
      java.util.regex.Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final String HTML = "text/html; charset=utf-8";

  private final Dashboard dashboard;
  private final AdminLogin login;
  private final Sessions sessions;
  private final Clock clock;
  private final boolean tls;
  private final boolean hsts;
  private final WebServer.StaticFiles files;
  private final String sessionCookie;
  private final String loginCookie;

  Routes(
      Dashboard dashboard,
      AdminLogin login,
      Sessions sessions,
      Clock clock,
      boolean tls,
      boolean publicAddress,
      WebServer.StaticFiles files) {
    this.dashboard = dashboard;
    this.login = login;
    this.sessions = sessions;
    this.clock = clock;
    this.tls = tls;
    this.hsts = tls && publicAddress;
    this.files = files;
    // __Host- cookies are bound to this origin and path /, and must be Secure (RFC 6265bis).
    this.sessionCookie = (tls ? "__Host-" : "") + "mailseal-session";
    this.loginCookie = (tls ? "__Host-" : "") + "mailseal-login";
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      route(ex);
    } catch (IOException e) {
      log.debug("web request failed path={}: {}", ex.getRequestURI().getRawPath(), e.toString());
    } catch (RuntimeException e) {
      log.error("web request failed path={}", ex.getRequestURI().getRawPath(), e);
      try {
        send(ex, 500, HTML, page("Error", "Something went wrong; the log says what."));
      } catch (IOException | RuntimeException ignored) {
        // the answer may have started already; the exchange is closed either way
      }
    }
  }

  private void route(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    if (!get && !post) {
      ex.getResponseHeaders().set("Allow", "GET, POST");
      send(ex, 405, HTML, page("Not allowed", "Use GET or POST."));
      return;
    }
    if (path.equals("/static/app.css") && get) {
      sendStatic(ex, "text/css; charset=utf-8", files.css());
      return;
    }
    if (path.equals("/static/app.js") && get) {
      sendStatic(ex, "text/javascript; charset=utf-8", files.js());
      return;
    }
    if (path.equals("/favicon.ico")) {
      send(ex, 404, HTML, "");
      return;
    }
    // Read a POST's form before answering anything, even a refusal: a body left unread on a
    // kept-alive connection would be taken for the next request.
    Map<String, String> form = post ? form(ex) : Map.of();
    if (path.equals("/login")) {
      if (get) {
        loginForm(ex, "", "", 200);
      } else {
        doLogin(ex, form);
      }
      return;
    }
    Optional<Sessions.Session> session = sessions.find(cookie(ex, sessionCookie));
    if (session.isEmpty()) {
      if (get) {
        redirect(ex, "/login");
      } else {
        send(ex, 403, HTML, page("Forbidden", "Log in first."));
      }
      return;
    }
    Sessions.Session s = session.get();
    try {
      if (get) {
        page(ex, s, path);
      } else {
        action(ex, s, path, form);
      }
    } catch (DashboardException e) {
      send(ex, 503, HTML, page("Not available", e.getMessage()));
    }
  }

  private void page(HttpExchange ex, Sessions.Session s, String path)
      throws IOException, DashboardException {
    switch (path) {
      case "/":
        send(
            ex,
            200,
            HTML,
            OverviewPage.render(s, dashboard.domains(), dashboard.queue(0), clock.instant()));
        return;
      case "/keys":
        send(ex, 200, HTML, KeysPage.render(s, dashboard.domains(), clock.instant()));
        return;
      case "/dns":
        send(ex, 200, HTML, DnsPage.render(s, dashboard.domains()));
        return;
      case "/dmarc":
        send(ex, 200, HTML, DmarcPage.render(s, dashboard.domains()));
        return;
      case "/queue":
        send(ex, 200, HTML, QueuePage.render(s, dashboard.queue(QueuePage.SHOWN), clock.instant()));
        return;
      default:
        send(ex, 404, HTML, page("Not found", "There is no such page."));
    }
  }

  private void action(HttpExchange ex, Sessions.Session s, String path, Map<String, String> form)
      throws IOException, DashboardException {
    if (form == null || !Sessions.same(s.csrf, form.get("csrf")) || !sameOrigin(ex)) {
      send(ex, 403, HTML, page("Forbidden", "The form is stale or not from this page; reload."));
      return;
    }
    switch (path) {
      case "/logout":
        sessions.end(cookie(ex, sessionCookie));
        ex.getResponseHeaders().add("Set-Cookie", clearCookie(sessionCookie));
        redirect(ex, "/login");
        return;
      case "/dns/check":
        {
          String domain = form.getOrDefault("domain", "");
          List<Dashboard.Dns> checked = dashboard.checkDns(domain);
          long ok = checked.stream().filter(r -> r.state() == Dashboard.DnsState.OK).count();
          s.flash = "Checked " + domain + ": " + ok + " of " + checked.size() + " records ok.";
          redirect(ex, "/dns");
          return;
        }
      case "/queue/retry":
      case "/queue/bounce":
        queueAction(ex, s, path, form);
        return;
      default:
        send(ex, 404, HTML, page("Not found", "There is no such action."));
    }
  }

  private void queueAction(
      HttpExchange ex, Sessions.Session s, String path, Map<String, String> form)
      throws IOException, DashboardException {
    String id = form.getOrDefault("id", "");
    boolean bounce = path.endsWith("bounce");
    if (!"yes".equals(form.get("confirm"))) {
      Optional<Dashboard.Message> m =
          dashboard.queue(Integer.MAX_VALUE).messages().stream()
              .filter(x -> x.id().equals(id))
              .findFirst();
      if (m.isEmpty()) {
        s.flash = "No queued message " + id + ".";
        redirect(ex, "/queue");
        return;
      }
      send(ex, 200, HTML, QueuePage.confirm(s, path, bounce ? "Bounce" : "Retry", m.get()));
      return;
    }
    Dashboard.ActionResult r = bounce ? dashboard.bounce(id) : dashboard.retry(id);
    log.info(
        "web action user=\"{}\" action={} id={} done={}",
        s.user,
        bounce ? "bounce" : "retry",
        id,
        r.done());
    s.flash = r.message();
    redirect(ex, "/queue");
  }

  private void loginForm(HttpExchange ex, String message, String user, int status)
      throws IOException {
    if (status == 200 && sessions.find(cookie(ex, sessionCookie)).isPresent()) {
      redirect(ex, "/");
      return;
    }
    // Keep the token a browser already has: a second GET (another tab, or a redirect of a
    // request the browser makes on its own) must not make the open form stale.
    String token = cookie(ex, loginCookie);
    if (token == null || !TOKEN.matcher(token).matches()) {
      token = sessions.token();
    }
    ex.getResponseHeaders().add("Set-Cookie", cookie(loginCookie, token, 3600));
    send(ex, status, HTML, LoginPage.render(token, message, user));
  }

  private void doLogin(HttpExchange ex, Map<String, String> form) throws IOException {
    String expected = cookie(ex, loginCookie);
    if (form == null
        || expected == null
        || !Sessions.same(expected, form.get("csrf"))
        || !sameOrigin(ex)) {
      loginForm(ex, "The login form expired; please try again.", "", 403);
      return;
    }
    String user = form.getOrDefault("user", "");
    char[] password = form.getOrDefault("password", "").toCharArray();
    AdminLogin.Outcome o = login.login(user, password, ex.getRemoteAddress().getAddress());
    java.util.Arrays.fill(password, '\0');
    if (o instanceof AdminLogin.Admin admin) {
      // A fresh token at every login: a token planted before the login is worth nothing.
      sessions.end(cookie(ex, sessionCookie));
      String token = sessions.start(admin);
      ex.getResponseHeaders()
          .add("Set-Cookie", cookie(sessionCookie, token, sessions.max().getSeconds()));
      ex.getResponseHeaders().add("Set-Cookie", clearCookie(loginCookie));
      redirect(ex, "/");
      return;
    }
    AdminLogin.Refused r = (AdminLogin.Refused) o;
    int status =
        r.reason() == AdminLogin.Reason.THROTTLED
            ? 429
            : r.reason() == AdminLogin.Reason.NOT_ADMIN ? 403 : 401;
    loginForm(ex, r.message(), user, status);
  }

  /** A POST from another site never carries our origin: refuse it even with a token. */
  private boolean sameOrigin(HttpExchange ex) {
    Headers h = ex.getRequestHeaders();
    String site = h.getFirst("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return false;
    }
    String origin = h.getFirst("Origin");
    String host = h.getFirst("Host");
    return origin == null || (host != null && origin.equals((tls ? "https://" : "http://") + host));
  }

  private String cookie(String name, String value, long maxAgeSeconds) {
    return name
        + "="
        + value
        + "; Path=/; Max-Age="
        + maxAgeSeconds
        + "; Secure; HttpOnly; SameSite=Strict";
  }

  private String clearCookie(String name) {
    return cookie(name, "", 0);
  }

  private static String cookie(HttpExchange ex, String name) {
    List<String> headers = ex.getRequestHeaders().get("Cookie");
    if (headers == null) {
      return null;
    }
    for (String header : headers) {
      for (String part : header.split(";")) {
        String p = part.strip();
        if (p.startsWith(name + "=")) {
          return p.substring(name.length() + 1);
        }
      }
    }
    return null;
  }

  /** The url-encoded form of a POST, or null when it is not one or too large. */
  private static Map<String, String> form(HttpExchange ex) throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.startsWith("application/x-www-form-urlencoded")) {
      return null;
    }
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(MAX_FORM + 1);
    }
    if (body.length > MAX_FORM) {
      return null;
    }
    Map<String, String> out = new HashMap<>();
    for (String pair : new String(body, StandardCharsets.US_ASCII).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.putIfAbsent(k, v);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return out;
  }

  private void redirect(HttpExchange ex, String to) throws IOException {
    ex.getResponseHeaders().set("Location", to);
    send(ex, 303, HTML, "");
  }

  private void sendStatic(HttpExchange ex, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Cache-Control", "max-age=3600");
    send(ex, 200, type, body);
  }

  private void send(HttpExchange ex, int status, String type, String body) throws IOException {
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    Headers h = ex.getResponseHeaders();
    h.set("Content-Type", type);
    h.set("Content-Security-Policy", CSP);
    h.set("X-Content-Type-Options", "nosniff");
    // Not no-referrer: with it browsers send "Origin: null" on our own forms' POSTs.
    h.set("Referrer-Policy", "same-origin");
    h.set("X-Frame-Options", "DENY");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    if (hsts) {
      h.set("Strict-Transport-Security", "max-age=31536000");
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static String page(String title, String message) {
    Html h = new Html(2048);
    Layout.head(h, title);
    h.raw("<main id=\"main\"><h1>")
        .text(title)
        .raw("</h1><p>")
        .text(message)
        .raw("</p><p><a href=\"/\">Back to the overview</a></p></main></body></html>");
    return h.toString();
  }
}
