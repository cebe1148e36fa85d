// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.MutableClock;

/**
 * The access-token cache against a token endpoint on loopback: reused until shortly before it
 * expires, renewed when the smarthost refuses it, a rotated refresh token stored, and the grant
 * errors of RFC 6749 §5.2 told apart.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AccessTokensTest {
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
  final AtomicInteger calls = new AtomicInteger();
  volatile int status = 200;
  volatile String reply;
  HttpServer http;

  @BeforeEach
  void start() throws Exception {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    http.createContext(
        "/token",
        ex -> {
          try (ex) {
            Map<String, String> form =
                LoopbackAuthorization.query(
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int n = calls.incrementAndGet();
            String body =
                reply != null
                    ? reply
                    : "{\"access_token\":\"at-"
                        + n
                        + "-for-"
                        + form.get("refresh_token")
                        + "\",\"expires_in\":3600}";
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream os = ex.getResponseBody()) {
              os.write(b);
            }
          }
        });
    http.start();
  }

  @AfterEach
  void stop() {
    http.stop(0);
  }

  AccessTokens tokens(Path store) {
    URI token = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/token");
    return new AccessTokens(
        "default",
        new TokenClient(new OAuthClient(token, token, "c", Optional.empty(), "s", "")),
        new RefreshTokenFile(store),
        clock);
  }

  @Test
  void aTokenIsReusedUntilAMinuteBeforeItExpires() throws Exception {
    Path store = dir.resolve("rt");
    new RefreshTokenFile(store).write("rt-0");
    AccessTokens t = tokens(store);
    String first = t.current();
    assertThat(first).isEqualTo("at-1-for-rt-0");
    clock.advance(Duration.ofSeconds(3600 - 61));
    assertThat(t.current()).isEqualTo(first);
    clock.advance(Duration.ofSeconds(2));
    assertThat(t.current()).isEqualTo("at-2-for-rt-0");
    assertThat(calls).hasValue(2);
  }

  @Test
  void aRefusedTokenIsRenewedOnceAndARotatedRefreshTokenStored() throws Exception {
    Path store = dir.resolve("rt");
    new RefreshTokenFile(store).write("rt-0");
    AccessTokens t = tokens(store);
    String first = t.current();
    reply = "{\"access_token\":\"at-new\",\"expires_in\":3600,\"refresh_token\":\"rt-1\"}";
    assertThat(t.renew(first)).isEqualTo("at-new");
    assertThat(t.renew(first)).isEqualTo("at-new"); // another thread already renewed it
    assertThat(calls).hasValue(2);
    assertThat(Files.readString(store).strip()).isEqualTo("rt-1");
  }

  @Test
  void invalidGrantIsPermanentAServerErrorIsNot() throws Exception {
    Path store = dir.resolve("rt");
    new RefreshTokenFile(store).write("rt-0");
    status = 400;
    reply = "{\"error\":\"invalid_grant\",\"error_description\":\"Bad Request\"}";
    assertThatThrownBy(() -> tokens(store).current())
        .isInstanceOf(OAuthException.RefreshRefused.class)
        .hasMessage("the token endpoint refused the grant (invalid_grant: Bad Request)");
    status = 503;
    reply = "<html>busy</html>";
    assertThatThrownBy(() -> tokens(store).current())
        .isExactlyInstanceOf(OAuthException.class)
        .hasMessageContaining("answered HTTP 503");
  }

  @Test
  void withoutAStoredRefreshTokenNothingIsAsked() {
    assertThatThrownBy(() -> tokens(dir.resolve("absent")).current())
        .isInstanceOf(OAuthException.RefreshRefused.class)
        .hasMessageContaining("missing or empty");
    assertThat(calls).hasValue(0);
  }
}
