// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consent flow with the test as both the provider's token endpoint and the owner's browser:
 * PKCE S256 (RFC 7636), the loopback redirect (RFC 8252), state checked, refresh token stored 0600
 * and never printed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoopbackAuthorizationTest {
  @TempDir Path dir;
  HttpServer provider;
  final Map<String, String> exchanged = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    provider.createContext(
        "/token",
        ex -> {
          try (ex) {
            exchanged.putAll(
                LoopbackAuthorization.query(
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] b =
                ("{\"access_token\":\"ya29.secret-access\",\"expires_in\":3599,"
                        + "\"refresh_token\":\"1//secret-refresh\",\"token_type\":\"Bearer\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream os = ex.getResponseBody()) {
              os.write(b);
            }
          }
        });
    provider.start();
  }

  @AfterEach
  void stop() {
    provider.stop(0);
  }

  TokenClient tokens() {
    URI base = URI.create("http://127.0.0.1:" + provider.getAddress().getPort());
    return new TokenClient(
        new OAuthClient(
            base.resolve("/token"),
            base.resolve("/authorize"),
            "client-1",
            Optional.of(() -> "client-secret-1"),
            "https://mail.google.com/",
            "access_type=offline&prompt=consent"));
  }

  @Test
  void pkceChallengeIsTheRfc7636AppendixBValue() {
    assertThat(LoopbackAuthorization.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
        .isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  }

  @Test
  void consentThroughTheLoopbackRedirectStoresTheRefreshTokenUnprinted() throws Exception {
    Path store = dir.resolve("state/refresh-token");
    StringWriter printed = new StringWriter();
    PrintWriter out = new PrintWriter(printed, true);
    CompletableFuture<Void> flow =
        CompletableFuture.runAsync(
            () -> {
              try {
                new LoopbackAuthorization(tokens(), new SecureRandom())
                    .run(new RefreshTokenFile(store), 0, Duration.ofSeconds(20), out);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Pattern url = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/authorize\\?\\S+)");
    await().atMost(Duration.ofSeconds(10)).until(() -> url.matcher(printed.toString()).find());
    Matcher m = url.matcher(printed.toString());
    assertThat(m.find()).isTrue();
    Map<String, String> q = LoopbackAuthorization.query(URI.create(m.group(1)).getRawQuery());
    assertThat(q)
        .containsEntry("response_type", "code")
        .containsEntry("client_id", "client-1")
        .containsEntry("code_challenge_method", "S256")
        .containsEntry("access_type", "offline")
        .containsEntry("scope", "https://mail.google.com/");
    assertThat(q.get("redirect_uri")).matches("http://127\\.0\\.0\\.1:\\d+/");

    // The browser comes back with the code.
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            q.get("redirect_uri") + "?code=code-123&state=" + q.get("state")))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    flow.get(10, TimeUnit.SECONDS);

    assertThat(exchanged)
        .containsEntry("grant_type", "authorization_code")
        .containsEntry("code", "code-123")
        .containsEntry("redirect_uri", q.get("redirect_uri"))
        .containsEntry("client_secret", "client-secret-1");
    assertThat(LoopbackAuthorization.challenge(exchanged.get("code_verifier")))
        .isEqualTo(q.get("code_challenge"));
    assertThat(Files.readString(store).strip()).isEqualTo("1//secret-refresh");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store)))
        .isEqualTo("rw-------");
    assertThat(printed.toString())
        .contains("Refresh token stored in " + store)
        .doesNotContain("secret-refresh")
        .doesNotContain("secret-access")
        .doesNotContain("client-secret-1");
  }

  @Test
  void aRedirectWithAnotherStateIsRefused() throws Exception {
    StringWriter printed = new StringWriter();
    PrintWriter out = new PrintWriter(printed, true);
    CompletableFuture<Void> flow =
        CompletableFuture.runAsync(
            () -> {
              try {
                new LoopbackAuthorization(tokens(), new SecureRandom())
                    .run(new RefreshTokenFile(dir.resolve("rt")), 0, Duration.ofSeconds(20), out);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Pattern redirect = Pattern.compile("redirect_uri=([^&\\s]+)");
    await().atMost(Duration.ofSeconds(10)).until(() -> redirect.matcher(printed.toString()).find());
    Matcher m = redirect.matcher(printed.toString());
    assertThat(m.find()).isTrue();
    String back = java.net.URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
    HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(back + "?code=code-123&state=forged")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(flow)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .withMessageContaining("state does not match");
    assertThat(exchanged).isEmpty();
    assertThat(dir.resolve("rt")).doesNotExist();
  }
}
