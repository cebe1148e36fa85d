// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mailseal.config.ConfigLocation;
import org.mailseal.config.MailsealConfig;
import org.mailseal.tls.AcmeRenewer;
import org.mailseal.tls.CertificateFiles;
import org.mailseal.tls.CertificateInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mailseal tls status}: which certificate the listeners serve, and its renewal. */
@Command(
    name = "tls",
    mixinStandardHelpOptions = true,
    description = "The listeners' certificate.",
    subcommands = {TlsCommand.Status.class})
final class TlsCommand {
  private TlsCommand() {}

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Print the certificate each listener serves and, with tls.acme, its next renewal.",
        "For each: names, issuer, expiry, SHA-256 fingerprint. Exits 1 when there is no certificate."
      })
  static final class Status implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = ConfigLocation.HELP)
    Path file;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      MailsealConfig config = ConfigCommand.load(ConfigLocation.find(file));
      PrintWriter out = spec.commandLine().getOut();
      int code = print(config, Clock.systemUTC(), out);
      out.flush();
      return code;
    }
  }

  /** Prints the status of {@code config}'s listeners' certificate; returns the exit code. */
  static int print(MailsealConfig config, Clock clock, PrintWriter out) {
    CertificateFiles files = CertificateFiles.of(config);
    Optional<CertificateInfo> info;
    try {
      info = Optional.of(CertificateInfo.read(files.certificate()));
    } catch (IOException e) {
      info = Optional.empty();
    }
    String source = files.source();
    if (info.isEmpty() && "acme".equals(source)) {
      // Before the first start with ACME, the listeners would serve the self-signed pair.
      try {
        info =
            Optional.of(
                CertificateInfo.read(
                    CertificateFiles.selfSignedCertificate(config.tls().selfSignedDirectory())));
        source = "self-signed until the first ACME certificate";
      } catch (IOException e) {
        info = Optional.empty();
      }
    }
    MailsealConfig.Listeners l = config.listeners();
    for (String listener :
        new String[] {
          "submission " + l.submission().address() + ":" + l.submission().port() + " (STARTTLS)",
          "submissions "
              + l.submissions().address()
              + ":"
              + l.submissions().port()
              + " (implicit TLS)"
        }) {
      out.println(listener + ": " + files.certificate());
    }
    if (info.isEmpty()) {
      out.println(
          "  no certificate yet ("
              + files.certificate()
              + "): one is made or issued when the server starts");
      return CliException.CHECK_FAILED;
    }
    CertificateInfo c = info.get();
    if (c.selfSigned() && "acme".equals(source)) {
      source = "self-signed until the first ACME certificate";
    }
    Instant now = clock.instant();
    out.println("  source: " + source);
    out.println("  names: " + String.join(", ", c.names()));
    out.println("  subject: " + c.subject());
    out.println("  issuer: " + c.issuer());
    out.println(
        "  not after: "
            + c.notAfter()
            + (c.notAfter().isBefore(now) ? " (EXPIRED)" : "")
            + " ("
            + java.time.Duration.between(now, c.notAfter()).toDays()
            + " days)");
    out.println("  SHA-256: " + c.fingerprint());
    Optional<AcmeRenewer> renewer = AcmeRenewer.fromConfig(config, clock, new SecureRandom());
    renewer.ifPresent(
        r -> {
          Instant next = r.nextRenewal();
          out.println(
              "  next renewal: "
                  + (next.isAfter(now) ? next.toString() : "due now (at the next scheduled check)")
                  + " (renew-before "
                  + r.renewBefore().toDays()
                  + "d, from "
                  + config.tls().acme().get().directory()
                  + ")");
        });
    return 0;
  }
}
