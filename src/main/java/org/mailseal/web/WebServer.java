// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's listener: HTTPS with the certificate the SMTP listeners use (the caller's {@link
 * SSLContext}, whose key manager picks up a renewed certificate), or clear HTTP on a loopback
 * address only. Requests run on {@value #THREADS} threads with a bounded queue; past it the
 * accepting thread serves the request itself, which slows a flooding client instead of growing
 * memory. Start with {@link #start}, stop with {@link #close()}.
 */
public final class WebServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebServer.class);
  static final int THREADS = 4;
  static final int QUEUE = 64;
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  /** The JDK HTTP server's switch for TCP_NODELAY on accepted connections. */
  public static final String NODELAY = "sun.net.httpserver.nodelay";

  private final HttpServer http;
  private final ThreadPoolExecutor executor;
  private final boolean tls;

  private WebServer(HttpServer http, ThreadPoolExecutor executor, boolean tls) {
    this.http = http;
    this.executor = executor;
    this.tls = tls;
  }

  /**
   * Binds and serves the dashboard.
   *
   * @param tls the listeners' TLS; empty serves clear HTTP, allowed on a loopback address only
   * @throws WebException when the address cannot be bound, or clear text is asked off loopback
   */
  public static WebServer start(
      WebOptions options,
      Optional<SSLContext> tls,
      Dashboard dashboard,
      AdminLogin login,
      Clock clock,
      SecureRandom random)
      throws WebException {
    if (tls.isEmpty() && !options.address().isLoopbackAddress()) {
      throw new WebException(
          "web: the dashboard is served in clear text only on a loopback address, not on "
              + options.address().getHostAddress()
              + "; give it the listeners' TLS certificate or bind it to 127.0.0.1");
    }
    AtomicInteger threads = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "mailseal-web-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    // The JDK server writes the headers and the body of an answer separately; with Nagle's
    // algorithm on, the body waits for the client's delayed ACK of the headers: 40 ms a page on
    // Linux. The only switch is this property, read once when the JVM makes its first HTTP
    // server, so the relay sets it at start too (before the admin listener); here it covers a
    // dashboard started first. Measured by OverviewLoad: median 45.5 ms without, 0.9 ms with.
    System.getProperties().putIfAbsent(NODELAY, "true");
    HttpServer http;
    InetSocketAddress at = new InetSocketAddress(options.address(), options.port());
    try {
      if (tls.isPresent()) {
        SSLContext context = tls.get();
        HttpsServer https = HttpsServer.create(at, 64);
        https.setHttpsConfigurator(
            new HttpsConfigurator(context) {
              @Override
              public void configure(HttpsParameters params) {
                SSLParameters p = context.getDefaultSSLParameters();
                p.setProtocols(PROTOCOLS);
                params.setSSLParameters(p);
              }
            });
        http = https;
      } else {
        http = HttpServer.create(at, 64);
      }
    } catch (IOException e) {
      executor.shutdownNow();
      throw new WebException(
          "web: cannot listen on "
              + options.address().getHostAddress()
              + ":"
              + options.port()
              + ": "
              + e.getMessage(),
          e);
    }
    Sessions sessions =
        new Sessions(login, clock, random, options.sessionIdle(), options.sessionMax());
    Routes routes =
        new Routes(
            dashboard,
            login,
            sessions,
            clock,
            tls.isPresent(),
            !options.address().isLoopbackAddress(),
            StaticFiles.load());
    http.createContext("/", routes);
    http.setExecutor(executor);
    http.start();
    WebServer server = new WebServer(http, executor, tls.isPresent());
    log.info("web listening address={} tls={}", server.uri(), tls.isPresent());
    return server;
  }

  /** The bound address (with the port picked when 0 was asked). */
  public InetSocketAddress address() {
    return http.getAddress();
  }

  /** {@code https://host:port/} (or {@code http://} on loopback without TLS). */
  public URI uri() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create((tls ? "https" : "http") + "://" + host + ":" + a.getPort() + "/");
  }

  /**
   * Stops accepting and closes every connection at once, then ends the threads. The JDK server's
   * grace period also waits for idle keep-alive connections (a browser keeps one open), so any
   * grace would cost its whole length at every shutdown; a page takes about a millisecond to
   * render, and one cut off by shutdown is simply reloaded.
   */
  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    log.info("web stopped");
  }

  /** The stylesheet and the copy-button script, read once from the class path. */
  record StaticFiles(byte[] css, byte[] js) {
    static StaticFiles load() throws WebException {
      return new StaticFiles(read("static/app.css"), read("static/app.js"));
    }

    private static byte[] read(String name) throws WebException {
      try (InputStream in = WebServer.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new WebException("web: " + name + " is missing from the jar");
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new WebException("web: cannot read " + name + ": " + e.getMessage(), e);
      }
    }
  }
}
