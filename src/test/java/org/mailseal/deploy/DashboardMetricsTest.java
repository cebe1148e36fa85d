// SPDX-License-Identifier: Apache-2.0
package org.mailseal.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.ConfigLoader;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.relay.Relay;
import org.mailseal.sendmail.LocalMessage;
import org.mailseal.sendmail.SendmailArgs;
import org.mailseal.sendmail.SendmailException;
import org.mailseal.sendmail.TrustedSubmission;
import org.mailseal.testing.TestCertificate;
import org.mailseal.testing.ZoneServer;

/**
 * Every metric the Grafana dashboard and the alert rules name is one a running relay serves on
 * /metrics: a relay in this JVM signs one message and refuses one sender, and its scrape is
 * compared with the names in deploy/grafana/ and deploy/prometheus/.
 */
@Timeout(90)
class DashboardMetricsTest {
  static final Path DASHBOARD = Path.of("deploy/grafana/mailseal-dashboard.json");
  static final Path RULES = Path.of("deploy/prometheus/mailseal-rules.yml");

  /**
   * Metrics other open issues add (upstream health, the ACME/TLS certificate, per-user limits):
   * named here exactly as those branches export them, tolerated until they are merged. Once a name
   * is served, the test fails so that it is taken off this list.
   */
  static final Map<String, String> ADDED_BY_OTHER_ISSUES =
      Map.of(
          "mailseal_upstream_up", "upstream health (smarthost/oauth branch)",
          "mailseal_user_limit_exceeded_total", "per-user limits (security branch)");

  /** Served only while its condition holds; checked against RelayMetrics's own exposition. */
  static final Set<String> CONDITIONAL = Set.of("mailseal_rotation_dns_late");

  @TempDir Path dir;

  static Set<String> namesIn(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\bmailseal_[a-z_]+").matcher(text);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  /** Metric names with samples in a Prometheus text exposition. */
  static Set<String> served(String scrape) {
    Set<String> names = new TreeSet<>();
    for (String line : scrape.lines().toList()) {
      if (!line.startsWith("#") && line.startsWith("mailseal_")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String scrape(int port) throws IOException {
    try (InputStream in =
        URI.create("http://127.0.0.1:" + port + "/metrics").toURL().openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyMetricTheDashboardAndTheRulesNameIsServedByARunningRelay() throws Exception {
    Set<String> wanted = namesIn(Files.readString(DASHBOARD));
    wanted.addAll(namesIn(Files.readString(RULES)));
    assertThat(wanted).hasSizeGreaterThan(15);

    int trusted = freePort();
    Path file = dir.resolve("mailseal.yaml");
    String scrape;
    try (ZoneServer zone = ZoneServer.start("example.com", "")) {
      Files.writeString(
          file,
          String.join(
              "\n",
              "tls:",
              "  self-signed-directory: " + dir.resolve("tls"),
              "listeners:",
              "  submission: {address: 127.0.0.1, port: 0}",
              "  submissions: {address: 127.0.0.1, port: 0}",
              "  trusted: {address: 127.0.0.1, port: " + trusted + ", networks: [127.0.0.1/32]}",
              "users:",
              "  file: " + dir.resolve("users.yaml"),
              "keys:",
              "  directory: " + dir.resolve("keys"),
              "  dns-export: " + dir.resolve("dns"),
              "spool:",
              "  directory: " + dir.resolve("spool"),
              "delivery:",
              "  route: file",
              "  file:",
              "    directory: " + dir.resolve("outbox"),
              "admin:",
              "  address: 127.0.0.1",
              "  port: 0",
              "domains:",
              "  example.com:",
              "    algorithms: [ed25519]",
              "    rotation: {dns-check: servers, dns-servers: [\"" + zone.hostPort() + "\"]}",
              ""));
      TestCertificate.placeAsSelfSigned(dir.resolve("tls"));
      try (Relay relay = new Relay(ConfigLoader.load(file), new PrintWriter(new StringWriter()))) {
        relay.start();
        TrustedSubmission submit =
            new TrustedSubmission(
                new InetSocketAddress("127.0.0.1", trusted), "localhost", Duration.ofSeconds(20));
        submit.submit(
            message("Subject: signed\n\nbody\n", "-f", "cron@example.com", "a@example.org"));
        assertThatThrownBy(
                () ->
                    submit.submit(
                        message(
                            "Subject: refused\n\nbody\n",
                            "-f",
                            "x@elsewhere.example",
                            "a@example.org")))
            .isInstanceOfSatisfying(
                SendmailException.class,
                e -> assertThat(e.exitCode()).isEqualTo(SendmailException.NO_PERMISSION));
        int admin = relay.adminPort();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    served(scrape(admin))
                        .containsAll(
                            List.of(
                                "mailseal_messages_accepted_total",
                                "mailseal_messages_rejected_total",
                                "mailseal_recipients_delivered_total",
                                "mailseal_dns_record_ok")));
        scrape = scrape(admin);
      }
    }
    Set<String> served = served(scrape);
    Set<String> missing = new TreeSet<>(wanted);
    missing.removeAll(served);
    missing.removeAll(ADDED_BY_OTHER_ISSUES.keySet());
    missing.removeAll(CONDITIONAL);
    assertThat(missing).as("named by the dashboard or the rules, not served").isEmpty();

    Set<String> nowServed = new TreeSet<>(ADDED_BY_OTHER_ISSUES.keySet());
    nowServed.retainAll(served);
    assertThat(nowServed).as("served now: take them off ADDED_BY_OTHER_ISSUES").isEmpty();
    Set<String> tolerated = new TreeSet<>(ADDED_BY_OTHER_ISSUES.keySet());
    tolerated.retainAll(wanted);
    System.err.println(
        "DashboardMetricsTest: tolerated until their issues are merged: " + tolerated);
  }

  @Test
  void conditionalSeriesAreTheOnesRelayMetricsExports() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RelayMetrics metrics = new RelayMetrics(registry);
    metrics.dnsLate("example.com", List.of("s20270101r"));
    metrics.upstreams(
        () ->
            List.of(
                new RelayMetrics.UpstreamStatus(
                    "smtp.example.net:587", false, Optional.of("connect"))));
    assertThat(served(registry.scrape())).containsAll(CONDITIONAL);
  }

  private static LocalMessage message(String text, String... args) throws Exception {
    return LocalMessage.read(
        new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        SendmailArgs.parse(List.of(args)),
        "root",
        "example.com");
  }
}
