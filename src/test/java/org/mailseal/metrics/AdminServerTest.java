// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /metrics, /health and /ready over loopback HTTP. */
class AdminServerTest {
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final RelayMetrics metrics = new RelayMetrics(registry);
  AdminServer admin;

  AdminServer start(List<Readiness> checks) throws Exception {
    admin = new AdminServer("127.0.0.1", 0, registry, metrics, checks);
    admin.start();
    return admin;
  }

  @AfterEach
  void stop() {
    if (admin != null) {
      admin.close();
    }
  }

  HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return send("GET", path);
  }

  @Test
  void metricsShowPrometheusNamesAfterEvents() throws Exception {
    start(List.of());
    metrics.accepted("example.com", List.of("rsa", "ed25519"), 1_000_000, 3_000_000);
    metrics.rejected("550 5.7.1");
    metrics.authFailure();
    metrics.delivered();
    metrics.deferred();
    metrics.bounced();

    HttpResponse<String> m = get("/metrics");

    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> t.startsWith("text/plain"));
    assertThat(m.body())
        .contains("mailseal_messages_accepted_total{domain=\"example.com\"} 1.0")
        .contains(
            "mailseal_messages_signed_total{algorithm=\"ed25519\",domain=\"example.com\"} 1.0")
        .contains("mailseal_messages_signed_total{algorithm=\"rsa\",domain=\"example.com\"} 1.0")
        .contains("mailseal_messages_rejected_total{reason=\"550 5.7.1\"} 1.0")
        .contains("mailseal_auth_failures_total 1.0")
        .contains("mailseal_recipients_delivered_total 1.0")
        .contains("mailseal_recipients_deferred_total 1.0")
        .contains("mailseal_recipients_bounced_total 1.0")
        .contains("mailseal_accept_latency_seconds_bucket")
        .contains("mailseal_accept_latency_seconds_count 1")
        .contains("mailseal_signing_time_seconds_bucket")
        .contains("mailseal_signing_time_seconds_count 1");
  }

  @Test
  void metricsReReadKeysOnEveryScrape() throws Exception {
    start(List.of());
    AtomicBoolean rotated = new AtomicBoolean(false);
    metrics.keys(
        () ->
            rotated.get()
                ? List.of(
                    new RelayMetrics.KeyInfo(
                        "example.com", "s20261122r", "rsa", "RETIRED", Duration.ofDays(30)),
                    new RelayMetrics.KeyInfo(
                        "example.com", "s20261222r", "rsa", "ACTIVE", Duration.ofDays(30)))
                : List.of(
                    new RelayMetrics.KeyInfo(
                        "example.com", "s20261122r", "rsa", "ACTIVE", Duration.ofHours(36))));

    assertThat(get("/metrics").body())
        .contains(
            "mailseal_key_state{algorithm=\"rsa\",domain=\"example.com\",selector=\"s20261122r\",state=\"active\"} 1.0")
        .contains("mailseal_key_rotation_days{domain=\"example.com\",selector=\"s20261122r\"} 1.5");

    rotated.set(true);
    String after = get("/metrics").body();

    assertThat(after)
        .contains(
            "mailseal_key_state{algorithm=\"rsa\",domain=\"example.com\",selector=\"s20261122r\",state=\"retired\"} 1.0")
        .contains(
            "mailseal_key_state{algorithm=\"rsa\",domain=\"example.com\",selector=\"s20261222r\",state=\"active\"} 1.0")
        .doesNotContain("selector=\"s20261122r\",state=\"active\"");
  }

  @Test
  void healthIsOkWhileServing() throws Exception {
    start(List.of(new Readiness("keys", () -> false, "a signing domain has no ACTIVE key")));

    HttpResponse<String> h = get("/health");

    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(h.body()).isEqualTo("ok\n");
  }

  @Test
  void readyIs503ListingEachFailingCheckThen200() throws Exception {
    AtomicBoolean keys = new AtomicBoolean(false);
    start(
        List.of(
            new Readiness("listeners", () -> true, "a listener is down"),
            new Readiness("spool", () -> false, "the spool directory is not writable"),
            new Readiness("keys", keys::get, "a signing domain has no ACTIVE key")));

    HttpResponse<String> notReady = get("/ready");

    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body())
        .isEqualTo(
            "spool: the spool directory is not writable\n"
                + "keys: a signing domain has no ACTIVE key\n");

    keys.set(true);
    assertThat(get("/ready").statusCode()).isEqualTo(503);
    assertThat(get("/ready").body()).isEqualTo("spool: the spool directory is not writable\n");
  }

  @Test
  void readyIs200WhenEveryCheckPasses() throws Exception {
    start(List.of(new Readiness("listeners", () -> true, "a listener is down")));

    HttpResponse<String> ready = get("/ready");

    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("ready\n");
  }

  @Test
  void aCheckThatThrowsCountsAsFailing() throws Exception {
    start(
        List.of(
            new Readiness(
                "spool",
                () -> {
                  throw new IllegalStateException("disk gone");
                },
                "the spool directory is not writable")));

    HttpResponse<String> r = get("/ready");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("spool: the spool directory is not writable\n");
  }

  @Test
  void otherMethodsAre405AndOtherPaths404() throws Exception {
    start(List.of());

    assertThat(send("POST", "/metrics").statusCode()).isEqualTo(405);
    assertThat(send("DELETE", "/health").statusCode()).isEqualTo(405);
    assertThat(get("/healthz").statusCode()).isEqualTo(404);
    assertThat(get("/").statusCode()).isEqualTo(404);
    assertThat(send("HEAD", "/health").statusCode()).isEqualTo(200);
  }
}
