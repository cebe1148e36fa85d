// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.testing.Waits.await;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.cli.ServeProcess;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.dkim.DkimVerifier;
import org.mailseal.dkim.VerificationResult;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.Selector;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.TestCertificate;
import org.mailseal.testing.ZoneServer;

/** The running relay as serve builds it: route mx, a per-domain route, the bouncer, workers. */
class RelayTest {
  @TempDir Path dir;

  /** The domain's DNS, on loopback: serve with an admin listener asks it for /metrics. */
  private ZoneServer zone;

  @org.junit.jupiter.api.BeforeEach
  void startDns() throws java.io.IOException {
    zone = ZoneServer.start("example.com", "");
  }

  @org.junit.jupiter.api.AfterEach
  void stopDns() {
    zone.close();
  }

  @Test
  void aBounceMarkedBeforeStartIsReportedWithASignedDsnThroughThePerDomainRoute() throws Exception {
    MailsealConfig config =
        config(
            "server:",
            "  hostname: relay.example.com",
            "keys:",
            "  directory: " + dir.resolve("keys"),
            "  dns-export: " + dir.resolve("dns"),
            "spool:",
            "  directory: " + dir.resolve("spool"),
            "delivery:",
            "  route: mx",
            "  workers: 3",
            "  routes:",
            "    example.com: file",
            "  file:",
            "    directory: " + dir.resolve("outbox"),
            "admin:",
            "  address: 127.0.0.1",
            "  port: 0",
            "domains:",
            "  example.com:",
            "    rotation: {dns-check: servers, dns-servers: [\"" + zone.hostPort() + "\"]}");
    QueueId id;
    try (Spool spool =
        Spool.open(
            config.spool().directory(),
            Clock.systemUTC(),
            SpoolOptions.defaults(new SecureRandom()))) {
      id =
          spool.store(
              EnvelopeDraft.submitted("alice@example.com", List.of("bob@example.org"), "alice"),
              new ByteArrayInputStream(
                  "From: alice@example.com\r\nSubject: hello\r\n\r\nhi\r\n".getBytes()));
      spool.requestBounce(id);
    }
    Path outbox = dir.resolve("outbox");
    try (Relay relay = new Relay(config, new PrintWriter(new StringWriter()))) {
      relay.start();
      // /metrics shows each key's state and the days until the next scheduled rotation.
      String metrics = scrape(relay);
      assertThat(metrics)
          .containsPattern("mailseal_key_state\\{[^}]*domain=\"example.com\"[^}]*state=\"active\"")
          .contains("mailseal_key_rotation_days{");
      await("the DSN in the outbox").until(() -> hasMessage(outbox));
    }
    Path eml;
    try (var files = Files.list(outbox)) {
      eml = files.filter(p -> p.toString().endsWith(".eml")).findFirst().orElseThrow();
    }
    String envelope =
        Files.readString(
            eml.resolveSibling(eml.getFileName().toString().replace(".eml", ".envelope")));
    assertThat(envelope).isEqualTo("MAIL FROM:<>\nRCPT TO:<alice@example.com>\n");
    byte[] dsn = Files.readAllBytes(eml);
    assertThat(new String(dsn))
        .contains("From: Mail Delivery System <MAILER-DAEMON@example.com>")
        .contains("Reporting-MTA: dns; relay.example.com")
        .contains("X-Mailseal-Queue-ID: " + id)
        .contains("Final-Recipient: rfc822; bob@example.org");
    FileKeyStore keys = new FileKeyStore(dir.resolve("keys"), Clock.systemUTC());
    List<VerificationResult> results =
        new DkimVerifier(
                (domain, selector) -> {
                  try {
                    return keys.find(domain, new Selector(selector))
                        .map(DkimKey::record)
                        .map(DkimKeyRecord::render)
                        .map(List::of)
                        .orElse(List.of());
                  } catch (org.mailseal.keys.KeyStoreException e) {
                    throw new IllegalStateException(e);
                  }
                },
                Clock.systemUTC())
            .verify(new ByteArrayInputStream(dsn));
    assertThat(results).hasSize(2).allMatch(r -> r instanceof VerificationResult.Pass);
  }

  private static boolean hasMessage(Path outbox) {
    if (!Files.isDirectory(outbox)) {
      return false;
    }
    try (var files = Files.list(outbox)) {
      return files.anyMatch(p -> p.toString().endsWith(".envelope"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void metricsShowEachPublishedRecordAsOkOnlyOnceTheDomainsDnsServerShowsIt() throws Exception {
    MailsealConfig config =
        config(
            "keys:",
            "  directory: " + dir.resolve("keys"),
            "  dns-export: " + dir.resolve("dns"),
            "  reconcile-interval: 1s",
            "spool:",
            "  directory: " + dir.resolve("spool"),
            "delivery:",
            "  route: file",
            "  file:",
            "    directory: " + dir.resolve("outbox"),
            "admin: {address: 127.0.0.1, port: 0}",
            "domains:",
            "  example.com:",
            "    algorithms: [ed25519]",
            "    rotation: {dns-check: servers, dns-servers: [\"" + zone.hostPort() + "\"]}");
    try (Relay relay = new Relay(config, new PrintWriter(new StringWriter()))) {
      relay.start();
      String dkim =
          "mailseal_dns_record_ok\\{name=\"s\\w+\\._domainkey\\.example\\.com\",type=\"dkim\",?\\} ";
      String spf = "mailseal_dns_record_ok\\{name=\"example\\.com\",type=\"spf\",?\\} ";
      String dmarc =
          "mailseal_dns_record_ok\\{name=\"_dmarc\\.example\\.com\",type=\"dmarc\",?\\} ";
      // The zone is empty: each record the domain should publish is there, and 0.
      String before = awaitMetrics(relay, m -> m.matches("(?s).*" + dmarc + "0\\.0.*"));
      assertThat(before)
          .containsPattern(dkim + "0\\.0")
          .containsPattern(spf + "0\\.0")
          .containsPattern(dmarc + "0\\.0");
      // Publish exactly what serve exported; the next check finds every record.
      Path export = dir.resolve("dns").resolve("example.com.zone");
      zone.setZone(Files.readString(export));
      String after =
          awaitMetrics(
              relay,
              m ->
                  m.matches("(?s).*" + dkim + "1\\.0.*")
                      && m.matches("(?s).*" + spf + "1\\.0.*")
                      && m.matches("(?s).*" + dmarc + "1\\.0.*"));
      assertThat(after).doesNotContainPattern("mailseal_dns_record_ok\\{[^}]*\\} 0\\.0");
    }
  }

  @Test
  void readyNamesEachDomainWithoutAnActiveKey() throws Exception {
    MailsealConfig config =
        config(
            "keys:",
            "  directory: " + dir.resolve("keys"),
            "  dns-export: " + dir.resolve("dns"),
            "spool:",
            "  directory: " + dir.resolve("spool"),
            "admin:",
            "  address: 127.0.0.1",
            "  port: 0",
            "domains:",
            "  example.com:",
            "    algorithms: [ed25519]",
            "    rotation: {dns-check: servers, dns-servers: [\"" + zone.hostPort() + "\"]}");
    // Imported as PENDING, as keys import did before DNS showed the record: nothing signs.
    new org.mailseal.keys.FileKeyStore(config.keys().directory(), Clock.systemUTC())
        .add(
            "example.com",
            new org.mailseal.keys.Selector("mail"),
            new org.mailseal.keys.KeyGenerator(new SecureRandom())
                .generate(org.mailseal.keys.KeyAlgorithm.ED25519, 0)
                .getPrivate(),
            org.mailseal.keys.KeyState.PENDING);
    try (Relay relay = new Relay(config, new PrintWriter(new StringWriter()))) {
      relay.start();
      java.net.HttpURLConnection ready =
          (java.net.HttpURLConnection)
              new java.net.URL("http://127.0.0.1:" + relay.adminPort() + "/ready").openConnection();
      assertThat(ready.getResponseCode()).isEqualTo(503);
      assertThat(new String(ready.getErrorStream().readAllBytes()))
          .contains("keys: no ACTIVE DKIM key for example.com (their mail gets 451");
    }
  }

  /** A configuration of the TLS, listeners and users every test here shares, then {@code rest}. */
  private MailsealConfig config(String... rest) throws Exception {
    List<String> lines = new java.util.ArrayList<>(ServeProcess.loopbackListeners(dir));
    lines.addAll(List.of(rest));
    lines.add("");
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(file, String.join("\n", lines));
    MailsealConfig config = ConfigLoader.load(file);
    TestCertificate.placeAsSelfSigned(config.tls().selfSignedDirectory());
    return config;
  }

  private static String scrape(Relay relay) throws java.io.IOException {
    return new String(
        new java.net.URL("http://127.0.0.1:" + relay.adminPort() + "/metrics")
            .openStream()
            .readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  /** /metrics once {@code until} holds; the failure names the condition. */
  private static String awaitMetrics(Relay relay, java.util.function.Predicate<String> until) {
    return await("/metrics to show what the test expects")
        .pollInterval(Duration.ofMillis(100))
        .until(() -> scrape(relay), until);
  }
}
