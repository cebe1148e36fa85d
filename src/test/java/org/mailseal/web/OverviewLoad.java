// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measures how fast the overview is served for a relay with 10 domains (4 keys each) and 1,000
 * queued messages: one logged-in client over HTTPS with keep-alive, {@code warm-up} requests, then
 * {@code requests} timed one after the other. Not a test (its figures depend on the machine); run:
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) org.mailseal.web.OverviewLoad
 * </pre>
 */
public final class OverviewLoad {
  private OverviewLoad() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    String page = args.length > 2 ? args[2] : "/";
    List<String> domains = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      domains.add("d" + i + ".example.com");
    }
    Path dir = Files.createTempDirectory("mailseal-overview-load");
    try (WebFixture f = new WebFixture(dir, domains, 1000)) {
      System.out.printf(
          "domains=%d queued=%d%n", f.dashboard.domains().size(), f.spool.list().size());
      WebClient c = new WebClient(f.server.uri(), f.tls.client());
      if (c.login(WebFixture.ADMIN, WebFixture.ADMIN_PASSWORD).statusCode() != 303) {
        throw new IllegalStateException("login failed");
      }
      long bytes = 0;
      for (int i = 0; i < warmUp; i++) {
        check(c.get(page));
      }
      long[] nanos = new long[requests];
      long start = System.nanoTime();
      for (int i = 0; i < requests; i++) {
        long t = System.nanoTime();
        HttpResponse<String> r = c.get(page);
        nanos[i] = System.nanoTime() - t;
        check(r);
        bytes = r.body().length();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Arrays.sort(nanos);
      System.out.printf(
          "page=%s requests=%d bytes=%d median=%.2fms p90=%.2fms p99=%.2fms max=%.2fms"
              + " rate=%.0f/s%n",
          page,
          requests,
          bytes,
          nanos[requests / 2] / 1e6,
          nanos[requests * 9 / 10] / 1e6,
          nanos[requests * 99 / 100] / 1e6,
          nanos[requests - 1] / 1e6,
          requests / seconds);
    }
  }

  private static void check(HttpResponse<String> r) {
    if (r.statusCode() != 200) {
      throw new IllegalStateException("status " + r.statusCode());
    }
  }
}
