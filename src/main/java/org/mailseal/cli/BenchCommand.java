// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLSocketFactory;
import org.mailseal.bench.LoadGenerator;
import org.mailseal.bench.LoadOptions;
import org.mailseal.bench.LoadReport;
import org.mailseal.delivery.ClientTls;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailseal bench HOST:PORT}: submits test messages as fast as the server takes them and
 * prints messages per second and end-of-DATA latencies.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Load-test an SMTP submission server: C connections, each TLS + AUTH PLAIN, send N"
          + " messages of SIZE bytes, reusing connections and pipelining MAIL/RCPT/DATA.",
      "Prints a RESULT line: messages/s, p50/p99/max of end-of-DATA -> reply in ms, errors by"
          + " reply code. Progress goes to stderr. Exit 1 if any message failed."
    })
final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The server to load.")
  String target;

  @Option(
      names = "--tls",
      paramLabel = "MODE",
      defaultValue = "starttls",
      description = "starttls, implicit or none (default: ${DEFAULT-VALUE}).")
  String tls;

  @Option(
      names = "--insecure",
      description = "Trust any server certificate (only for benchmarks on loopback).")
  boolean insecure;

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      description = "Trust the certificates in this PEM file (the server's own, or its CA).")
  Path caFile;

  @Option(
      names = "--user",
      paramLabel = "NAME",
      description = "AUTH PLAIN as this user; the password is read from --password-env.")
  String user;

  @Option(
      names = "--password-env",
      paramLabel = "VAR",
      defaultValue = "MAILSEAL_BENCH_PASSWORD",
      description = "Environment variable holding the password (default: ${DEFAULT-VALUE}).")
  String passwordEnv;

  @Option(
      names = "--from",
      paramLabel = "ADDRESS",
      required = true,
      description = "Envelope and header From.")
  String from;

  @Option(
      names = "--to",
      paramLabel = "ADDRESS",
      required = true,
      description = "Envelope and header To.")
  String to;

  @Option(
      names = {"-c", "--connections"},
      defaultValue = "20",
      description = "Connections at once (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = {"-n", "--messages"},
      defaultValue = "5000",
      description = "Messages in all (default: ${DEFAULT-VALUE}).")
  long messages;

  @Option(
      names = {"-s", "--size"},
      paramLabel = "BYTES",
      defaultValue = "4096",
      description = "Message size in bytes, or with k suffix (default: ${DEFAULT-VALUE}).")
  String size;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      description = "Stop after this long even if not all messages were sent (30s, 5m).")
  String duration;

  @Option(
      names = "--helo",
      defaultValue = "bench.localhost",
      description = "EHLO name (default: ${DEFAULT-VALUE}).")
  String helo;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    int colon = target.lastIndexOf(':');
    if (colon <= 0) {
      throw new CliException("target must be HOST:PORT, not " + target);
    }
    int port;
    try {
      port = Integer.parseInt(target.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CliException("target must be HOST:PORT, not " + target);
    }
    LoadOptions.TlsMode mode;
    try {
      mode = LoadOptions.TlsMode.valueOf(tls.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CliException("--tls must be starttls, implicit or none");
    }
    Optional<SSLSocketFactory> factory = Optional.empty();
    if (mode != LoadOptions.TlsMode.NONE) {
      factory = Optional.of(tlsFactory());
    }
    String password = "";
    if (user != null) {
      password = System.getenv(passwordEnv);
      if (password == null) {
        throw new CliException("--user needs the password in environment variable " + passwordEnv);
      }
    }
    LoadOptions options;
    try {
      options =
          new LoadOptions(
              target.substring(0, colon),
              port,
              mode,
              factory,
              Optional.ofNullable(user),
              password,
              from,
              to,
              connections,
              messages,
              bytes(size),
              Optional.ofNullable(duration).map(Durations::parse),
              helo);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage().replaceFirst("^LoadOptions: ", ""));
    }
    byte[] id = new byte[6];
    new SecureRandom().nextBytes(id);
    PrintStream err = System.err;
    LoadReport report =
        new LoadGenerator(
                options,
                Clock.systemUTC(),
                HexFormat.of().formatHex(id),
                err,
                Duration.ofSeconds(2))
            .run(LoadGenerator.Listener.NONE);
    PrintWriter out = spec.commandLine().getOut();
    out.println(report.render());
    out.flush();
    return report.errorCount() == 0 && report.accepted() == report.attempted() ? 0 : 1;
  }

  private SSLSocketFactory tlsFactory() throws IOException {
    if (caFile != null && insecure) {
      throw new CliException("use either --ca-file or --insecure, not both");
    }
    if (caFile != null) {
      return ClientTls.fromCaFile(caFile);
    }
    if (insecure) {
      return ClientTls.unverified(); // --insecure: the operator chose it for a test server
    }
    return ClientTls.systemTrust();
  }

  static int bytes(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    int factor = 1;
    if (t.endsWith("k") || t.endsWith("kb")) {
      factor = 1024;
      t = t.substring(0, t.indexOf('k'));
    }
    try {
      return Math.multiplyExact(Integer.parseInt(t), factor);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new CliException("--size must be bytes or a number with k, not " + text);
    }
  }
}
