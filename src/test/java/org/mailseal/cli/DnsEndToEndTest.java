// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.ZoneServer;

/**
 * The whole DNS journey through the commands: keys made by {@code keys generate}, the zone exported
 * by {@code dns records --format bind} and served by a real DNS server on loopback, {@code dns
 * check} against it, and a message signed by {@code mailseal sign} that passes {@code mailseal
 * verify --dns-server} and dkimpy asking the same server.
 */
class DnsEndToEndTest {
  private static final String SPF = "v=spf1 include:_spf.google.com ~all";
  private static final String DMARC = "v=DMARC1; p=none; rua=mailto:dmarc@example.com";

  @TempDir Path dir;

  @Test
  void generatedKeysPublishedThroughTheExportedZoneVerify() throws Exception {
    String keys = dir.resolve("keys").toString();
    SignVerifyCommandTest.Run gen =
        run(
            "keys",
            "generate",
            "--keys-dir",
            keys,
            "--domain",
            "example.com",
            "--algorithm",
            "both");
    assertThat(gen.code()).as(gen.err()).isZero();
    List<String> selectors =
        gen.out()
            .lines()
            .filter(l -> !l.startsWith(";"))
            .map(l -> l.substring(0, l.indexOf('.')))
            .toList();
    assertThat(selectors).hasSize(2);
    for (String s : selectors) {
      assertThat(
              run(
                      "keys",
                      "activate",
                      "--keys-dir",
                      keys,
                      "--domain",
                      "example.com",
                      "--selector",
                      s,
                      "--force")
                  .code())
          .isZero();
    }

    SignVerifyCommandTest.Run records =
        run(
            "dns",
            "records",
            "--keys-dir",
            keys,
            "--domain",
            "example.com",
            "--format",
            "bind",
            "--spf",
            SPF,
            "--dmarc",
            DMARC);
    assertThat(records.code()).as(records.err()).isZero();

    try (ZoneServer server = ZoneServer.start("example.com", records.out())) {
      SignVerifyCommandTest.Run check =
          run(
              "dns",
              "check",
              "--keys-dir",
              keys,
              "--domain",
              "example.com",
              "--dns-server",
              server.hostPort(),
              "--spf",
              SPF,
              "--dmarc",
              DMARC);
      assertThat(check.code()).as(check.out()).isZero();
      assertThat(check.out()).endsWith("all 4 records are published as expected\n");

      Path message = dir.resolve("m.eml");
      Files.writeString(
          message, "From: alice@example.com\nTo: bob@example.net\nSubject: e2e\n\nhello\n");
      Path signed = dir.resolve("signed.eml");
      String rsa = selectors.stream().filter(s -> s.endsWith("r")).findFirst().orElseThrow();
      String ed = selectors.stream().filter(s -> s.endsWith("e")).findFirst().orElseThrow();
      SignVerifyCommandTest.Run sign =
          run(
              "sign",
              "--domain",
              "example.com",
              "--selector",
              rsa,
              "--key",
              keys + "/example.com/" + rsa + ".rsa.pem",
              "--domain",
              "example.com",
              "--selector",
              ed,
              "--key",
              keys + "/example.com/" + ed + ".ed25519.pem",
              message.toString(),
              "-o",
              signed.toString());
      assertThat(sign.code()).as(sign.err()).isZero();

      SignVerifyCommandTest.Run verify =
          run("verify", "--dns-server", server.hostPort(), signed.toString());
      assertThat(verify.code()).as(verify.out()).isZero();
      assertThat(verify.out().lines()).hasSize(2).allMatch(l -> l.contains("dkim=pass"));

      List<String> dkimpy = dkimpy(server.hostPort(), signed);
      if (System.getenv("CI") != null) {
        assertThat(dkimpy).as("dkimpy (.ci/run installs python3-dkim)").isNotNull();
      }
      if (dkimpy != null) {
        assertThat(dkimpy).hasSize(2).allMatch(l -> l.contains(" pass "));
      }

      // The zone loses the RSA record: the check says so and fails, and so does verify.
      server.setZone(
          records.out().lines().filter(l -> !l.startsWith(rsa)).reduce("", (a, b) -> a + b + "\n"));
      SignVerifyCommandTest.Run late =
          run(
              "dns",
              "check",
              "--keys-dir",
              keys,
              "--domain",
              "example.com",
              "--dns-server",
              server.hostPort(),
              "--spf",
              SPF,
              "--dmarc",
              DMARC);
      assertThat(late.code()).isEqualTo(1);
      assertThat(late.out()).contains("missing    " + rsa + "._domainkey.example.com. TXT");
      assertThat(run("verify", "--dns-server", server.hostPort(), signed.toString()).out())
          .contains("dkim=permerror (no key for signature) d=example.com s=" + rsa);
    }
  }

  /** dkimpy's verdicts through the DNS server, or null when dkimpy is not installed. */
  private static List<String> dkimpy(String hostPort, Path file) throws Exception {
    Process probe =
        new ProcessBuilder("/usr/bin/python3", "-c", "import dkim, nacl, dns.resolver").start();
    if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
      return null;
    }
    Process p =
        new ProcessBuilder(
                "/usr/bin/python3",
                "src/test/resources/dkim/verifiers/dkimpy-verify.py",
                "dns:" + hostPort,
                file.toString())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out.lines().toList();
  }
}
