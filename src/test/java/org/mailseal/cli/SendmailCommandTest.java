// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.relay.Relay;
import org.mailseal.testing.TestCertificate;

/**
 * {@code mailseal sendmail} against a running relay (in this JVM) and its trusted listener: cron's
 * own mail arrives signed, and each failure gives sendmail's exit status.
 */
@Timeout(60)
class SendmailCommandTest {
  @TempDir Path dir;

  /** Exactly what Debian's cron (3.0pl1) writes to sendmail for a job's output. */
  static final String CRON_MAIL =
      "From: root (Cron Daemon)\n"
          + "To: root\n"
          + "Subject: Cron <root@host> echo cron-says-hello\n"
          + "MIME-Version: 1.0\n"
          + "Content-Type: text/plain; charset=UTF-8\n"
          + "Content-Transfer-Encoding: 8bit\n"
          + "X-Cron-Env: <SHELL=/bin/sh>\n"
          + "X-Cron-Env: <HOME=/root>\n"
          + "X-Cron-Env: <PATH=/usr/bin:/bin>\n"
          + "X-Cron-Env: <LOGNAME=root>\n"
          + "\n"
          + "cron-says-hello\n";

  record Run(int code, String out, String err) {}

  static Run sendmail(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("sendmail"));
    all.addAll(List.of(args));
    int code =
        MailsealCommand.commandLine(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)))
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Path config(int trustedPort, String... extra) throws Exception {
    List<String> lines = new ArrayList<>(ServeProcess.loopbackListeners(dir));
    lines.add(
        lines.indexOf("listeners:") + 1,
        "  trusted: {address: 127.0.0.1, port: " + trustedPort + ", networks: [127.0.0.1/32]}");
    lines.addAll(
        List.of(
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
            "  enabled: false"));
    lines.addAll(List.of(extra));
    lines.addAll(List.of("domains:", "  example.com:", "    algorithms: [ed25519]", ""));
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(file, String.join("\n", lines));
    TestCertificate.placeAsSelfSigned(dir.resolve("tls"));
    return file;
  }

  private List<Path> outbox(String suffix) throws IOException {
    Path outbox = dir.resolve("outbox");
    if (!Files.isDirectory(outbox)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(outbox)) {
      return files.filter(p -> p.toString().endsWith(suffix)).toList();
    }
  }

  @Test
  void cronsOwnMailReachesTheRelaySignedFromTheOriginDomain() throws Exception {
    Path file = config(freePort());
    MailsealConfig c = ConfigLoader.load(file);
    try (Relay relay = new Relay(c, new PrintWriter(new StringWriter()))) {
      relay.start();
      // The arguments Debian's cron passes: -FCronDaemon -i -B8BITMIME -oem <MAILTO>
      Run r =
          sendmail(
              CRON_MAIL,
              "--config",
              file.toString(),
              "-FCronDaemon",
              "-i",
              "-B8BITMIME",
              "-oem",
              "root");
      assertThat(r.err()).isEmpty();
      assertThat(r.code()).isZero();
      await().atMost(Duration.ofSeconds(20)).until(() -> !outbox(".eml").isEmpty());
    }
    Path eml = outbox(".eml").get(0);
    String message = Files.readString(eml, StandardCharsets.UTF_8);
    assertThat(message)
        .contains("DKIM-Signature: ")
        .contains("d=example.com")
        .contains("From: root@example.com (Cron Daemon)\r\n")
        .contains("Subject: Cron <root@host> echo cron-says-hello\r\n")
        .contains("X-Cron-Env: <SHELL=/bin/sh>\r\n")
        .endsWith("\r\n\r\ncron-says-hello\r\n");
    String envelope =
        Files.readString(
            eml.resolveSibling(eml.getFileName().toString().replace(".eml", ".envelope")));
    assertThat(envelope).endsWith("RCPT TO:<root@example.com>\n");
    assertThat(envelope)
        .startsWith("MAIL FROM:<" + System.getProperty("user.name") + "@example.com>");
  }

  @Test
  void aSenderTheTrustedListenerRefusesIsExitSeventySeven() throws Exception {
    Path file = config(freePort());
    try (Relay relay = new Relay(ConfigLoader.load(file), new PrintWriter(new StringWriter()))) {
      relay.start();
      Run r =
          sendmail(
              "Subject: x\n\nbody\n",
              "--config",
              file.toString(),
              "-f",
              "someone@other.example",
              "root");
      assertThat(r.code()).isEqualTo(77);
      assertThat(r.err()).startsWith("mailseal: sendmail: relay refused the sender");
    }
  }

  @Test
  void relayDownIsTempfailSeventyFive() throws Exception {
    Path file = config(freePort());
    Run r = sendmail(CRON_MAIL, "--config", file.toString(), "-i", "root");
    assertThat(r.code()).isEqualTo(75);
    assertThat(r.err()).contains("relay not reachable at 127.0.0.1:");
  }

  @Test
  void usageErrorsAreSixtyFourAndAMissingTrustedListenerIsSeventyEight() throws Exception {
    Path file = config(freePort());
    assertThat(sendmail("", "--config", file.toString(), "-bs").code()).isEqualTo(64);
    assertThat(sendmail("Subject: x\n\nbody\n", "--config", file.toString()).code()).isEqualTo(64);
    Path noTrusted = dir.resolve("plain.yaml");
    Files.writeString(noTrusted, "domains:\n  example.com: {}\n");
    Run r = sendmail("Subject: x\n\nbody\n", "--config", noTrusted.toString(), "root");
    assertThat(r.code()).isEqualTo(78);
    assertThat(r.err()).contains("listeners.trusted is off");
  }
}
