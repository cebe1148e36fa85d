// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The admin HTTP listener (127.0.0.1 by default): {@code /metrics} in the Prometheus text format,
 * {@code /health} (200 while the process serves), and {@code /ready} (200 when every readiness
 * check passes, 503 with the failing ones listed otherwise). Two threads; GET only.
 */
public final class AdminServer {
  /** One readiness condition, with what to say when it fails. */
  public record Check(String name, BooleanSupplier ok, String failure) {}

  private final HttpServer http;
  private final ExecutorService executor;

  public AdminServer(String address, int port, PrometheusMeterRegistry registry, List<Check> checks)
      throws IOException {
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 16);
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "mailseal-admin");
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(executor);
    http.createContext(
        "/metrics",
        ex -> respond(ex, 200, registry.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    http.createContext("/health", ex -> respond(ex, 200, "ok\n", "text/plain; charset=utf-8"));
    http.createContext(
        "/ready",
        ex -> {
          List<String> failing = new ArrayList<>();
          for (Check c : checks) {
            boolean ok;
            try {
              ok = c.ok().getAsBoolean();
            } catch (RuntimeException e) {
              ok = false;
            }
            if (!ok) {
              failing.add(c.name() + ": " + c.failure());
            }
          }
          if (failing.isEmpty()) {
            respond(ex, 200, "ready\n", "text/plain; charset=utf-8");
          } else {
            respond(ex, 503, String.join("\n", failing) + "\n", "text/plain; charset=utf-8");
          }
        });
  }

  private static void respond(HttpExchange ex, int status, String body, String type)
      throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(status, b.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    }
  }

  public void start() {
    http.start();
  }

  /** The port bound (useful with port 0 in tests). */
  public int port() {
    return http.getAddress().getPort();
  }

  public void stop() {
    http.stop(0);
    executor.shutdownNow();
  }
}
