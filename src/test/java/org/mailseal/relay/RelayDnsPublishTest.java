// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.testing.Waits.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.cli.ServeProcess;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.testing.BindServer;
import org.mailseal.testing.TestCertificate;
import org.xbill.DNS.Name;

/**
 * The running relay writes its records itself: with {@code rotation.publish}, the first keys made
 * at start reach BIND through the reconcile at start; a wrong TSIG secret is counted on /metrics.
 */
@Timeout(120)
class RelayDnsPublishTest {
  static final Pattern ACTIVE_KEY =
      Pattern.compile("mailseal_key_state\\{[^}]*domain=\"example.com\"[^}]*state=\"active\"");

  @TempDir Path dir;

  MailsealConfig config(BindServer bind, Path secret) throws Exception {
    List<String> lines = new ArrayList<>(ServeProcess.loopbackListeners(dir));
    lines.addAll(
        List.of(
            "keys:",
            "  directory: " + dir.resolve("keys"),
            "  dns-export: " + dir.resolve("dns"),
            "spool:",
            "  directory: " + dir.resolve("spool"),
            "delivery:",
            "  file: {directory: " + dir.resolve("outbox") + "}",
            "admin: {address: 127.0.0.1, port: 0}",
            "dns-updates:",
            "  primary:",
            "    rfc2136:",
            "      server: " + bind.hostPort(),
            "      tsig: {name: mailseal., algorithm: hmac-sha256, secret-file: " + secret + "}",
            "domains:",
            "  example.com:",
            "    algorithms: [ed25519]",
            "    rotation:",
            "      publish: primary",
            "      dns-check: servers",
            "      dns-servers: [\"" + bind.hostPort() + "\"]",
            ""));
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(file, String.join("\n", lines));
    MailsealConfig config = ConfigLoader.load(file);
    TestCertificate.placeAsSelfSigned(config.tls().selfSignedDirectory());
    return config;
  }

  static String scrape(Relay relay) throws java.io.IOException {
    return new String(
        new java.net.URL("http://127.0.0.1:" + relay.adminPort() + "/metrics")
            .openStream()
            .readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void firstKeysReachBindWithoutAnyoneTouchingDns() throws Exception {
    try (BindServer bind = BindServer.start(dir.resolve("bind"), "example.com")) {
      Path secret = Files.writeString(dir.resolve("tsig.secret"), bind.secret() + "\n");
      try (Relay relay = new Relay(config(bind, secret), new PrintWriter(new StringWriter()))) {
        relay.start();
        DkimKey key =
            new FileKeyStore(dir.resolve("keys"), Clock.systemUTC()).list("example.com").get(0);
        Name name = Name.fromString(key.recordName() + ".");
        await("BIND to serve " + name)
            .atMost(Duration.ofSeconds(60))
            .until(() -> !DnsjavaLookup.server(bind.hostPort()).txt(name).isEmpty());
        assertThat(DnsjavaLookup.server(bind.hostPort()).txt(name).get(0).text())
            .isEqualTo(key.record().render());
        assertThat(scrape(relay)).contains("mailseal_tls_certificate_expiry_seconds ");
      }
    }
  }

  @Test
  void wrongSecretIsCountedOnMetricsAndSigningGoesOn() throws Exception {
    try (BindServer bind = BindServer.start(dir.resolve("bind"), "example.com")) {
      Path secret =
          Files.writeString(
              dir.resolve("tsig.secret"), "c2VjcmV0IHRoYXQgaXMgbm90IHRoZSBzZXJ2ZXIncw==\n");
      try (Relay relay = new Relay(config(bind, secret), new PrintWriter(new StringWriter()))) {
        relay.start();
        // Both in one scrape: the failure is counted while the first key stays ACTIVE and signs.
        await("the failure and the ACTIVE key on /metrics")
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> scrape(relay),
                m ->
                    m.contains(
                            "mailseal_dns_update_failures_total{code=\"BADSIG\",domain=\"example.com\"}")
                        && ACTIVE_KEY.matcher(m).find());
      }
    }
  }
}
