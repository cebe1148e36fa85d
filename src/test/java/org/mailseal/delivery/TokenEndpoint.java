// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An OAuth token endpoint on 127.0.0.1 for tests: accepts the refresh-token grant for the current
 * refresh token only, issues access tokens valid {@code lifetime} seconds, rotates the refresh
 * token on every refresh, and tells the test each new access token (to hand to the SMTP server). It
 * can be made to refuse every grant ({@code invalid_grant}).
 */
final class TokenEndpoint implements AutoCloseable {
  private final HttpServer http;
  private final AtomicInteger serial = new AtomicInteger();
  private final long lifetime;
  private final Consumer<String> issued;
  volatile String refreshToken;
  volatile boolean refuse;

  /** Every token issued, access and refresh, for "never in a log line" checks. */
  final List<String> tokens = new CopyOnWriteArrayList<>();

  /** Refresh requests answered with a token. */
  final AtomicInteger refreshes = new AtomicInteger();

  TokenEndpoint(String firstRefreshToken, long lifetime, Consumer<String> issued)
      throws IOException {
    this.refreshToken = firstRefreshToken;
    this.lifetime = lifetime;
    this.issued = issued;
    tokens.add(firstRefreshToken);
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    http.createContext(
        "/token",
        ex -> {
          try (ex) {
            Map<String, String> form =
                org.mailseal.oauth.LoopbackAuthorizationAccess.query(
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String body;
            int status;
            if (refuse
                || !"refresh_token".equals(form.get("grant_type"))
                || !refreshToken.equals(form.get("refresh_token"))
                || !"client-1".equals(form.get("client_id"))
                || !"client-secret-1".equals(form.get("client_secret"))) {
              status = 400;
              body =
                  "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}";
            } else {
              int n = serial.incrementAndGet();
              String access = "ya29.access-" + n + "-" + Long.toHexString(System.nanoTime());
              String rotated = "1//refresh-" + n + "-" + Long.toHexString(System.nanoTime());
              tokens.add(access);
              tokens.add(rotated);
              issued.accept(access);
              refreshToken = rotated;
              refreshes.incrementAndGet();
              status = 200;
              body =
                  "{\"access_token\":\""
                      + access
                      + "\",\"expires_in\":"
                      + lifetime
                      + ",\"token_type\":\"Bearer\",\"refresh_token\":\""
                      + rotated
                      + "\"}";
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream os = ex.getResponseBody()) {
              os.write(b);
            }
          }
        });
    http.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/token");
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
