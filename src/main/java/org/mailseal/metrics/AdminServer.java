// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The admin HTTP listener (bind it to 127.0.0.1; it has no authentication):
 *
 * <ul>
 *   <li>{@code /metrics}: the Prometheus text format, after {@link RelayMetrics#refresh()};
 *   <li>{@code /health}: 200 {@code ok} while the process serves (liveness);
 *   <li>{@code /ready}: 200 {@code ready} when every {@link Readiness} check passes, else 503 with
 *       one line per failing check (readiness). Notices (a failing upstream: mail is still accepted
 *       and queued) follow as lines of their own without changing the status.
 * </ul>
 *
 * GET and HEAD only (405 otherwise); other paths are 404. Requests run on two threads with a queue
 * of {@value #QUEUE} behind them; past that the accepting thread serves the request itself, which
 * slows down a client that floods the port instead of growing memory. Call {@link #start()} once,
 * then {@link #close()}.
 */
public final class AdminServer implements AutoCloseable {
  static final int THREADS = 2;
  static final int QUEUE = 32;
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer http;
  private final ThreadPoolExecutor executor;

  /**
   * Binds {@code address:port} (port 0 picks a free one) without serving yet.
   *
   * @param registry the registry {@code /metrics} scrapes
   * @param metrics refreshed before each scrape so key and DNS rows are current
   * @param readiness the checks {@code /ready} runs, in the order they are reported
   */
  public AdminServer(
      String address,
      int port,
      PrometheusMeterRegistry registry,
      RelayMetrics metrics,
      List<Readiness> readiness)
      throws IOException {
    this(address, port, registry, metrics, readiness, List::of);
  }

  /**
   * As above, with {@code notices}: lines {@code /ready} adds to its body (after {@code ready} or
   * the failing checks) without turning 200 into 503, for conditions that degrade delivery while
   * the relay still accepts and queues mail, such as a smarthost that is down.
   */
  public AdminServer(
      String address,
      int port,
      PrometheusMeterRegistry registry,
      RelayMetrics metrics,
      List<Readiness> readiness,
      Supplier<List<String>> notices)
      throws IOException {
    List<Readiness> checks = List.copyOf(readiness);
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "mailseal-admin-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 16);
    http.setExecutor(executor);
    http.createContext(
        "/metrics",
        exact(
            "/metrics",
            () -> {
              metrics.refresh();
              return new Response(200, registry.scrape(), PROMETHEUS_TEXT);
            }));
    http.createContext("/health", exact("/health", () -> new Response(200, "ok\n", TEXT)));
    http.createContext("/ready", exact("/ready", () -> ready(checks, notices)));
  }

  private record Response(int status, String body, String type) {}

  private static Response ready(List<Readiness> checks, Supplier<List<String>> notices) {
    List<String> failing = new ArrayList<>();
    for (Readiness c : checks) {
      if (!c.passes()) {
        failing.add(c.line());
      }
    }
    List<String> notes;
    try {
      notes = notices.get();
    } catch (RuntimeException e) {
      notes = List.of("notices unavailable: " + e.getClass().getSimpleName());
    }
    StringBuilder tail = new StringBuilder();
    notes.forEach(n -> tail.append(n).append('\n'));
    if (failing.isEmpty()) {
      return new Response(200, "ready\n" + tail, TEXT);
    }
    return new Response(503, String.join("\n", failing) + "\n" + tail, TEXT);
  }

  /** A handler for exactly {@code path} (contexts match by prefix: {@code /healthz} is a 404). */
  private static HttpHandler exact(String path, Supplier<Response> response) {
    return ex -> {
      try (ex) {
        String method = ex.getRequestMethod();
        if (!path.equals(ex.getRequestURI().getPath())) {
          ex.sendResponseHeaders(404, -1);
        } else if (!"GET".equals(method) && !"HEAD".equals(method)) {
          ex.getResponseHeaders().set("Allow", "GET, HEAD");
          ex.sendResponseHeaders(405, -1);
        } else {
          send(ex, response.get(), "HEAD".equals(method));
        }
      }
    };
  }

  private static void send(HttpExchange ex, Response r, boolean head) throws IOException {
    byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", r.type());
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    if (head) {
      ex.sendResponseHeaders(r.status(), -1);
      return;
    }
    ex.sendResponseHeaders(r.status(), body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }

  /** Starts serving. */
  public void start() {
    http.start();
  }

  /** The port bound (useful with port 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** Stops accepting, gives running requests up to a second, and stops the threads. */
  public void stop() {
    http.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
