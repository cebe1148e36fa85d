// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** /metrics, /health and /ready over loopback HTTP. */
class AdminServerTest {
  HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesPrometheusMetricsHealthAndReadiness() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RelayMetrics metrics = new RelayMetrics(registry);
    AtomicBoolean keys = new AtomicBoolean(false);
    AdminServer admin =
        new AdminServer(
            "127.0.0.1",
            0,
            registry,
            List.of(
                new AdminServer.Check("keys", keys::get, "a signing domain has no ACTIVE key")));
    admin.start();
    try {
      metrics.accepted("example.com", List.of("rsa", "ed25519"), 1_000_000, 3_000_000);
      metrics.rejected("550 5.7.1");
      HttpResponse<String> m = get(admin.port(), "/metrics");
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.body())
          .contains("mailseal_messages_accepted_total{domain=\"example.com\"} 1.0")
          .contains(
              "mailseal_messages_signed_total{algorithm=\"ed25519\",domain=\"example.com\"} 1.0")
          .contains("mailseal_messages_rejected_total{reason=\"550 5.7.1\"} 1.0")
          .contains("mailseal_accept_latency_seconds_bucket");
      assertThat(get(admin.port(), "/health").statusCode()).isEqualTo(200);
      HttpResponse<String> notReady = get(admin.port(), "/ready");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).contains("keys: a signing domain has no ACTIVE key");
      keys.set(true);
      assertThat(get(admin.port(), "/ready").statusCode()).isEqualTo(200);
    } finally {
      admin.stop();
    }
  }
}
