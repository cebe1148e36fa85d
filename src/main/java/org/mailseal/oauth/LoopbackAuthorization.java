// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one-time consent that gives mailseal its refresh token: the authorization-code grant with
 * PKCE (RFC 7636, method S256) and a redirect to a port this process opens on 127.0.0.1 (RFC 8252
 * §7.3). The owner opens the printed URL in any browser on this machine (or forwards the port),
 * consents, and the browser's redirect brings the code back here; the code and the verifier are
 * exchanged for tokens and the refresh token is stored. Neither token is printed.
 */
public final class LoopbackAuthorization {
  private final TokenClient tokens;
  private final SecureRandom random;

  public LoopbackAuthorization(TokenClient tokens, SecureRandom random) {
    this.tokens = tokens;
    this.random = random;
  }

  /** A PKCE pair: the secret verifier and its S256 challenge (RFC 7636 §4.1, §4.2). */
  record Pkce(String verifier, String challenge) {
    @Override
    public String toString() {
      return "Pkce[****]";
    }
  }

  Pkce pkce() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    return new Pkce(verifier, challenge(verifier));
  }

  /** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
  static String challenge(String verifier) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  /**
   * Runs the consent: prints the URL to {@code out}, waits up to {@code wait} for the redirect,
   * exchanges the code and stores the refresh token in {@code store}.
   *
   * @param port the loopback port to listen on, 0 for any free one (the redirect URI names it)
   * @throws OAuthException when the owner refused, the wait ran out, the state did not match, or
   *     the endpoint gave no refresh token
   */
  public void run(RefreshTokenFile store, int port, Duration wait, PrintWriter out)
      throws OAuthException, IOException {
    Pkce pkce = pkce();
    byte[] s = new byte[16];
    random.nextBytes(s);
    String state = Base64.getUrlEncoder().withoutPadding().encodeToString(s);
    CompletableFuture<Map<String, String>> redirect = new CompletableFuture<>();
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 4);
    http.createContext("/", ex -> answer(ex, redirect));
    http.start();
    try {
      String redirectUri = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
      out.println("Open this address in a browser on this machine and allow access:");
      out.println();
      out.println("  " + authorizationUrl(pkce, state, redirectUri));
      out.println();
      out.println(
          "Waiting for the browser to come back to "
              + redirectUri
              + " (from another machine: ssh -L "
              + http.getAddress().getPort()
              + ":127.0.0.1:"
              + http.getAddress().getPort()
              + " to this one first) ...");
      out.flush();
      Map<String, String> q;
      try {
        q = redirect.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new OAuthException("no answer from the browser within " + wait.toMinutes() + " min");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OAuthException("interrupted while waiting for the browser");
      } catch (ExecutionException e) {
        throw new OAuthException("the redirect could not be read");
      }
      if (!state.equals(q.get("state"))) {
        throw new OAuthException("the redirect's state does not match: start again");
      }
      if (q.containsKey("error")) {
        throw new OAuthException.RefreshRefused(
            q.get("error"), q.getOrDefault("error_description", ""));
      }
      String code = q.get("code");
      if (code == null || code.isEmpty()) {
        throw new OAuthException("the redirect carried no code");
      }
      TokenResponse r = tokens.exchange(code, pkce.verifier(), redirectUri);
      if (r.refreshToken().isEmpty()) {
        throw new OAuthException(
            "the provider gave no refresh token: for Google, remove mailseal's access at"
                + " myaccount.google.com/permissions and run this again; for Microsoft, check that"
                + " the scope has offline_access");
      }
      store.write(r.refreshToken().get());
      out.println("Refresh token stored in " + store.path() + " (mode 0600).");
      out.flush();
    } finally {
      http.stop(0);
    }
  }

  /** The consent URL (RFC 6749 §4.1.1 with RFC 7636 §4.3). */
  String authorizationUrl(Pkce pkce, String state, String redirectUri) {
    OAuthClient c = tokens.client();
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", c.clientId());
    q.put("redirect_uri", redirectUri);
    q.put("scope", c.scope());
    q.put("state", state);
    q.put("code_challenge", pkce.challenge());
    q.put("code_challenge_method", "S256");
    String extra = c.extraAuthorizationParameters();
    URI base = c.authorizationEndpoint();
    String sep = base.getRawQuery() == null ? "?" : "&";
    return base + sep + TokenClient.encode(q) + (extra.isEmpty() ? "" : "&" + extra);
  }

  private static void answer(HttpExchange ex, CompletableFuture<Map<String, String>> redirect)
      throws IOException {
    try (ex) {
      Map<String, String> q = query(ex.getRequestURI().getRawQuery());
      boolean ours = q.containsKey("code") || q.containsKey("error");
      byte[] body =
          (ours
                  ? "mailseal received the answer; you may close this page and return to the"
                      + " terminal.\n"
                  : "mailseal is waiting for the provider's redirect here.\n")
              .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      ex.sendResponseHeaders(ours ? 200 : 404, body.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
      if (ours) {
        redirect.complete(q);
      }
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }
}
