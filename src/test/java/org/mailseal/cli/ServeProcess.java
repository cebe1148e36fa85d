// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocketFactory;
import org.mailseal.auth.User;
import org.mailseal.auth.UserStore;
import org.mailseal.bench.LoadOptions;
import org.mailseal.delivery.ClientTls;
import org.mailseal.policy.SenderPattern;
import org.mailseal.testing.CheapHash;
import org.mailseal.testing.Waits;

/**
 * {@code java -jar target/mailseal.jar serve} as a child process over one directory: loopback
 * listeners on ephemeral ports (read back from what the server prints), the file route into {@code
 * outbox/}, user {@code bench@example.com}, Ed25519 signing for example.com. A restart keeps the
 * directory, so spool, keys and certificate survive it.
 */
public final class ServeProcess implements AutoCloseable {
  static final String USER = "bench@example.com";
  static final String PASSWORD = "bench-pass";
  private static final Pattern RUNNING =
      Pattern.compile("mailseal is running: submission [^:]+:(\\d+) \\(STARTTLS\\), [^:]+:(\\d+)");

  private static final Duration POLL = Duration.ofMillis(50);

  final Path dir;
  private final List<String> jvmOptions;
  private Process process;
  private int port;
  private int implicitPort;
  private int starts;

  /**
   * The YAML every serve test shares: a self-signed certificate, both listeners on loopback with
   * ephemeral ports, and the users file, all under {@code dir}.
   */
  public static List<String> loopbackListeners(Path dir) {
    return List.of(
        "tls:",
        "  self-signed-directory: " + dir.resolve("tls"),
        "listeners:",
        "  submission: {address: 127.0.0.1, port: 0}",
        "  submissions: {address: 127.0.0.1, port: 0}",
        "users:",
        "  file: " + dir.resolve("users.yaml"));
  }

  /** Writes the configuration and the users file; does not start anything yet. */
  ServeProcess(Path dir, String extraServerYaml, List<String> jvmOptions) throws Exception {
    this.dir = dir;
    this.jvmOptions = List.copyOf(jvmOptions);
    Files.writeString(
        dir.resolve("mailseal.yaml"),
        String.join(
            "\n",
            "server:",
            "  hostname: relay.example.com",
            extraServerYaml,
            String.join("\n", loopbackListeners(dir)),
            "limits:",
            "  messages-per-hour: 1000000",
            "  connections-per-ip: 100",
            "keys:",
            "  directory: " + dir.resolve("keys"),
            "spool:",
            "  directory: " + dir.resolve("spool"),
            "delivery:",
            "  route: file",
            "  file:",
            "    directory: " + outbox(),
            "admin:",
            "  enabled: false",
            "domains:",
            "  example.com:",
            "    algorithms: [ed25519]",
            ""),
        StandardCharsets.UTF_8);
    SecureRandom random = new SecureRandom();
    new UserStore(dir.resolve("users.yaml"), Clock.systemUTC())
        .put(new User(USER, CheapHash.of(PASSWORD), List.of(SenderPattern.parse(USER))));
  }

  static Path jar() {
    Path jar = Path.of("target", "mailseal.jar").toAbsolutePath();
    assertThat(jar).as("run after package: mvn -B verify").exists();
    return jar;
  }

  Path outbox() {
    return dir.resolve("outbox");
  }

  Path spool() {
    return dir.resolve("spool");
  }

  Path log() {
    return dir.resolve("serve-" + starts + ".log");
  }

  /** Starts the server and returns once it says it is running. */
  void start(String... environment) throws Exception {
    starts++;
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of("-jar", jar().toString(), "serve", "--config", "" + dir.resolve("mailseal.yaml")));
    ProcessBuilder builder =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log().toFile());
    for (int i = 0; i + 1 < environment.length; i += 2) {
      builder.environment().put(environment[i], environment[i + 1]);
    }
    process = builder.start();
    waitFor(
        "the server to start; log " + log(),
        Duration.ofSeconds(90),
        () -> {
          assertThat(process.isAlive() || started()).as("server exited: %s", read(log())).isTrue();
          return started();
        });
  }

  private boolean started() {
    Matcher m = RUNNING.matcher(read(log()));
    if (!m.find()) {
      return false;
    }
    port = Integer.parseInt(m.group(1));
    implicitPort = Integer.parseInt(m.group(2));
    return true;
  }

  boolean alive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  int port() {
    return port;
  }

  int implicitPort() {
    return implicitPort;
  }

  /** SIGKILL: no shutdown hook, no close; returns once the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /** SIGTERM: the graceful shutdown. */
  void terminate() {
    process.destroy();
  }

  /** The exit code, once the process has ended within {@code timeout}. */
  Optional<Integer> exitWithin(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
        ? Optional.of(process.exitValue())
        : Optional.empty();
  }

  SSLSocketFactory trust() throws IOException {
    return ClientTls.fromCaFile(dir.resolve("tls").resolve("selfsigned.crt"));
  }

  LoadOptions load(int connections, long messages, Duration duration) throws IOException {
    return new LoadOptions(
        "127.0.0.1",
        port,
        LoadOptions.TlsMode.STARTTLS,
        Optional.of(trust()),
        Optional.of(USER),
        PASSWORD,
        USER,
        "b@example.net",
        connections,
        messages,
        4096,
        Optional.of(duration),
        "it.test");
  }

  /** The Message-ID of every message in the outbox, one per file (duplicates kept). */
  List<String> outboxMessageIds() throws IOException {
    List<String> ids = new ArrayList<>();
    if (!Files.isDirectory(outbox())) {
      return ids;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(outbox())) {
      files = s.filter(p -> p.toString().endsWith(".eml")).toList();
    }
    for (Path p : files) {
      try {
        String head = read(p);
        Matcher m = Pattern.compile("(?im)^Message-ID: <([^>]+)>").matcher(head);
        if (m.find()) {
          ids.add(m.group(1));
        }
      } catch (RuntimeException e) {
        // the file was replaced while we listed: counted on the next look
      }
    }
    return ids;
  }

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "";
    }
  }

  /** Checks {@code condition} until it holds, failing after {@code timeout}. */
  static void waitFor(String what, Duration timeout, BooleanSupplier condition) {
    // The condition is another process's files: no event to wait on, so re-check at a modest
    // pace (spinning would take a core from the server under test).
    Waits.await(what).atMost(timeout).pollInterval(POLL).until(condition::getAsBoolean);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
