// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.LoginThrottle;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.User;
import org.mailseal.auth.UserStore;
import org.mailseal.policy.SenderPattern;
import org.mailseal.testing.CheapHash;
import org.mailseal.testing.MutableClock;

/**
 * The dashboard's guards, over HTTPS without a browser: no page or action without a session, no
 * action without the CSRF token, cookie flags, the CSP header, session ends, and escaping of every
 * text the pages show (against {@link HostileDashboard}).
 */
@Timeout(60)
class WebSecurityTest {
  static final List<String> PAGES = List.of("/", "/keys", "/dns", "/dmarc", "/queue");
  static final List<String> ACTIONS =
      List.of("/dns/check", "/queue/retry", "/queue/bounce", "/logout");

  @TempDir static Path shared;
  static PasswordHasher hasher;
  static TestTls tls;
  static String adminHash;
  static String userHash;

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T02:00:00Z"));
  HostileDashboard dashboard;
  UserStore users;
  WebServer server;
  WebClient client;

  @BeforeAll
  static void once() throws Exception {
    hasher = new PasswordHasher(new SecureRandom());
    adminHash = CheapHash.of(WebFixture.ADMIN_PASSWORD);
    userHash = CheapHash.of(WebFixture.USER_PASSWORD);
    tls = TestTls.make(shared.resolve("tls"), Clock.systemUTC());
  }

  @BeforeEach
  void start() throws Exception {
    SecureRandom random = new SecureRandom();
    users = new UserStore(dir.resolve("users.yaml"), clock);
    users.put(
        new User(WebFixture.ADMIN, adminHash, List.of(SenderPattern.parse(WebFixture.ADMIN))));
    users.put(new User(WebFixture.USER, userHash, List.of(SenderPattern.parse(WebFixture.USER))));
    AdminLogin login =
        new UserStoreAdminLogin(
            new Authenticator(users, hasher, new LoginThrottle(clock), clock, random),
            users,
            u -> Set.of(WebFixture.ADMIN).contains(u.name()));
    dashboard = new HostileDashboard(clock.instant());
    server =
        WebServer.start(
            WebOptions.of(InetAddress.getLoopbackAddress(), 0),
            Optional.of(tls.server()),
            dashboard,
            login,
            clock,
            random);
    client = new WebClient(server.uri(), tls.client());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private User user(String name, String password) {
    return new User(name, CheapHash.of(password), List.of(SenderPattern.parse(name)));
  }

  private String loggedIn() throws Exception {
    HttpResponse<String> r = client.login(WebFixture.ADMIN, WebFixture.ADMIN_PASSWORD);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/");
    return WebClient.csrf(client.get("/").body());
  }

  @Test
  void everyPageRedirectsToTheLoginWithoutASession() throws Exception {
    for (String page : PAGES) {
      HttpResponse<String> r = client.get(page);
      assertThat(r.statusCode()).as(page).isEqualTo(303);
      assertThat(r.headers().firstValue("Location")).as(page).hasValue("/login");
    }
    client.cookies.put("__Host-mailseal-session", "made-up-token");
    assertThat(client.get("/").statusCode()).isEqualTo(303);
  }

  @Test
  void everyActionIsForbiddenWithoutASession() throws Exception {
    String token = WebClient.csrf(client.get("/login").body());
    for (String action : ACTIONS) {
      HttpResponse<String> r =
          client.post(
              action,
              Map.of(
                  "csrf", token, "domain", HostileDashboard.DOMAIN, "id", "x", "confirm", "yes"));
      assertThat(r.statusCode()).as(action).isEqualTo(403);
    }
    assertThat(dashboard.actions()).isEmpty();
  }

  @Test
  void anActionWithoutTheSessionsCsrfTokenIsRefused() throws Exception {
    String token = loggedIn();
    Map<String, String> noToken = Map.of("domain", "d", "id", "q", "confirm", "yes");
    for (String action : ACTIONS) {
      assertThat(client.post(action, noToken).statusCode()).as(action).isEqualTo(403);
      assertThat(
              client
                  .post(action, Map.of("csrf", token + "x", "id", "q", "confirm", "yes"))
                  .statusCode())
          .as(action)
          .isEqualTo(403);
    }
    // Another site's form carries our token only if it stole it; its Origin still gives it away.
    assertThat(
            client
                .post(
                    "/queue/retry",
                    Map.of("csrf", token, "id", "q", "confirm", "yes"),
                    Map.of("Origin", "https://evil.example"))
                .statusCode())
        .isEqualTo(403);
    assertThat(dashboard.actions()).isEmpty();
    // The same action with the token is done, and the session still works after refusals.
    HttpResponse<String> ok =
        client.post("/queue/retry", Map.of("csrf", token, "id", "q", "confirm", "yes"));
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(dashboard.actions()).containsExactly("retry q");
  }

  @Test
  void theLoginFormNeedsItsOwnToken() throws Exception {
    client.get("/login");
    HttpResponse<String> r =
        client.post(
            "/login",
            Map.of(
                "csrf", "guess", "user", WebFixture.ADMIN, "password", WebFixture.ADMIN_PASSWORD));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(client.cookies).doesNotContainKey("__Host-mailseal-session");
  }

  @Test
  void theSessionCookieIsSecureHttpOnlyStrictAndExpires() throws Exception {
    String token = WebClient.csrf(client.get("/login").body());
    HttpResponse<String> r =
        client.post(
            "/login",
            Map.of("csrf", token, "user", WebFixture.ADMIN, "password", WebFixture.ADMIN_PASSWORD));
    String cookie =
        r.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("__Host-mailseal-session="))
            .findFirst()
            .orElseThrow();
    assertThat(cookie)
        .contains("; Secure")
        .contains("; HttpOnly")
        .contains("; SameSite=Strict")
        .contains("; Path=/")
        .contains("; Max-Age=" + WebOptions.DEFAULT_MAX.getSeconds());
    assertThat(cookie.split(";")[0].length()).isGreaterThan(40);
  }

  @Test
  void everyAnswerCarriesTheStrictContentSecurityPolicy() throws Exception {
    assertCsp(client.get("/login"));
    assertCsp(client.get("/static/app.css"));
    assertCsp(client.get("/"));
    loggedIn();
    for (String page : PAGES) {
      assertCsp(client.get(page));
    }
    assertCsp(client.get("/no-such-page"));
  }

  private static void assertCsp(HttpResponse<String> r) {
    assertThat(r.headers().firstValue("Content-Security-Policy"))
        .as(r.uri().getPath())
        .hasValueSatisfying(
            csp ->
                assertThat(csp)
                    .contains("default-src 'none'")
                    .contains("script-src 'self'")
                    .contains("style-src 'self'")
                    .contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline")
                    .doesNotContain("http"));
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
  }

  @Test
  void markupInADomainSelectorRecordOrQueueReplyIsShownAsText() throws Exception {
    String token = loggedIn();
    StringBuilder all = new StringBuilder();
    for (String page : PAGES) {
      HttpResponse<String> r = client.get(page);
      assertThat(r.statusCode()).as(page).isEqualTo(200);
      all.append(r.body());
    }
    HttpResponse<String> confirm =
        client.post("/queue/bounce", Map.of("csrf", token, "id", HostileDashboard.QUEUE_ID));
    assertThat(confirm.statusCode()).isEqualTo(200);
    all.append(confirm.body());
    String html = all.toString();
    assertThat(html)
        .doesNotContain("<script>alert")
        .doesNotContain("<svg onload")
        .doesNotContain("<img src=x")
        .doesNotContain("<b>busy")
        .doesNotContain("<i>1</i>")
        .doesNotContain("<upstream>")
        .doesNotContain("<verdict>")
        .contains("&lt;script&gt;alert(&#39;domain&#39;)&lt;/script&gt;.example")
        .contains("s1&quot;&gt;&lt;svg onload=alert(&#39;selector&#39;)&gt;")
        .contains("451 &lt;img src=x onerror=alert(&#39;reply&#39;)&gt; &amp; &lt;b&gt;busy")
        .contains("Q&lt;i&gt;1&lt;/i&gt;");
    // The only script element is the dashboard's own file.
    assertThat(html.split("<script", -1).length - 1)
        .isEqualTo(PAGES.size() + 1)
        .isEqualTo(html.split("<script src=\"/static/app.js\" defer></script>", -1).length - 1);
  }

  @Test
  void logoutEndsTheSession() throws Exception {
    String token = loggedIn();
    String session = client.cookies.get("__Host-mailseal-session");
    assertThat(client.post("/logout", Map.of("csrf", token)).statusCode()).isEqualTo(303);
    assertThat(client.cookies).doesNotContainKey("__Host-mailseal-session");
    client.cookies.put("__Host-mailseal-session", session); // a copy kept by an attacker
    assertThat(client.get("/").statusCode()).isEqualTo(303);
  }

  @Test
  void aPasswordChangeEndsTheSession() throws Exception {
    loggedIn();
    assertThat(client.get("/keys").statusCode()).isEqualTo(200);
    users.put(user(WebFixture.ADMIN, "a new password"));
    clock.advance(Duration.ofSeconds(2)); // the users file is looked at again after a second
    HttpResponse<String> r = client.get("/keys");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/login");
  }

  @Test
  void aSessionEndsAfterItsIdleTime() throws Exception {
    loggedIn();
    clock.advance(WebOptions.DEFAULT_IDLE.minusMinutes(1));
    assertThat(client.get("/").statusCode()).isEqualTo(200);
    clock.advance(WebOptions.DEFAULT_IDLE.minusMinutes(1));
    assertThat(client.get("/").statusCode()).isEqualTo(200);
    clock.advance(WebOptions.DEFAULT_IDLE);
    assertThat(client.get("/").statusCode()).isEqualTo(303);
  }

  @Test
  void aUserWithoutTheAdminRoleGetsNoSession() throws Exception {
    HttpResponse<String> r = client.login(WebFixture.USER, WebFixture.USER_PASSWORD);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("This user may not use the dashboard.");
    assertThat(client.cookies).doesNotContainKey("__Host-mailseal-session");
    assertThat(client.get("/").statusCode()).isEqualTo(303);
  }

  @Test
  void wrongPasswordsAreThrottledAsForSmtp() throws Exception {
    for (int i = 0; i <= LoginThrottle.ADDRESS.free(); i++) {
      HttpResponse<String> r = client.login(WebFixture.ADMIN, "wrong " + i);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).contains("Wrong user name or password.");
    }
    HttpResponse<String> r = client.login(WebFixture.ADMIN, WebFixture.ADMIN_PASSWORD);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.body()).contains("Too many failed logins").contains("try again in");
    assertThat(client.cookies).doesNotContainKey("__Host-mailseal-session");
    clock.advance(Duration.ofMinutes(1));
    assertThat(client.login(WebFixture.ADMIN, WebFixture.ADMIN_PASSWORD).statusCode())
        .isEqualTo(303);
  }

  @Test
  void clearTextIsRefusedOffLoopback() throws Exception {
    assertThatThrownBy(
            () ->
                WebServer.start(
                    WebOptions.of(InetAddress.getByName("0.0.0.0"), 0),
                    Optional.empty(),
                    dashboard,
                    new UserStoreAdminLogin(null, users, u -> true),
                    clock,
                    new SecureRandom()))
        .isInstanceOf(WebException.class)
        .hasMessageContaining("clear text only on a loopback address");
  }
}
