// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dns.DnsLookup;
import org.mailseal.records.SpfAnalysis;
import org.mailseal.records.SpfEvaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailseal spf check}: lints a domain's published SPF record, and evaluates it for an IP.
 */
@Command(
    name = "spf",
    mixinStandardHelpOptions = true,
    description = "Check SPF records.",
    subcommands = {SpfCommand.Check.class})
final class SpfCommand {
  private SpfCommand() {}

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Fetch DOMAIN's SPF record, check its syntax, count its DNS lookups through include: and",
        "redirect= against RFC 7208's limits, and with --ip say what a receiver concludes.",
        "Exits 1 when the record is missing, over a limit, loops or does not parse."
      })
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "DOMAIN")
    String domain;

    @Option(
        names = "--ip",
        description = {
          "Evaluate check_host() for mail from this address (default: the relay's first egress",
          "address of delivery.mx in the configuration, when there is one)."
        })
    String ip;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Configuration file (default: config/mailseal.yaml, when it exists).")
    java.nio.file.Path config;

    @Option(
        names = "--sender",
        description = "Envelope sender for macros (default: postmaster@DOMAIN).")
    String sender;

    @Mixin DnsServerOption dns;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      DnsLookup lookup = dns.lookup();
      InetAddress address = null;
      if (ip == null) {
        ip = egress().orElse(null);
      }
      if (ip != null) {
        if (!ip.matches("[0-9.]+|[0-9A-Fa-f:.]+")
            || !(ip.contains(":") || ip.split("\\.").length == 4)) {
          throw new CliException("--ip: not an IP address: " + ip);
        }
        try {
          address = InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
          throw new CliException("--ip: not an IP address: " + ip);
        }
      }
      String d = KeysCommand.domain(domain);
      return run(lookup, d, address, sender, spec.commandLine().getOut());
    }

    /** The relay's own sending address from the configuration, for the default --ip. */
    private java.util.Optional<String> egress() {
      Path file = config != null ? config : ConfigLoader.DEFAULT;
      if (config == null && !java.nio.file.Files.exists(file)) {
        return java.util.Optional.empty();
      }
      MailsealConfig c = ConfigCommand.load(file);
      java.util.List<String> all = new java.util.ArrayList<>(c.delivery().mx().egressIpv4());
      all.addAll(c.delivery().mx().egressIpv6());
      return all.stream().findFirst();
    }

    /** The command's work, on any lookup (tests use a fake). */
    static int run(
        DnsLookup lookup, String domain, InetAddress ip, String sender, PrintWriter out) {
      SpfAnalysis.Report r = SpfAnalysis.analyze(lookup, domain);
      out.println(domain + ": " + r.record().orElse("(no SPF record)"));
      if (r.record().isPresent()) {
        out.println(
            "DNS lookups: "
                + r.lookups()
                + " of "
                + SpfEvaluator.MAX_LOOKUPS
                + " (RFC 7208 §4.6.4)");
        out.println("void lookups: " + r.voidLookups() + " of " + SpfEvaluator.MAX_VOID_LOOKUPS);
        out.println(r.stance());
      }
      r.problems().forEach(p -> out.println("error: " + p));
      r.notes().forEach(n -> out.println("note: " + n));
      if (ip != null) {
        SpfEvaluator.Result result =
            new SpfEvaluator(lookup, Clock.systemUTC())
                .checkHost(ip, domain, sender == null ? "" : sender);
        out.println("check_host(" + ip.getHostAddress() + ", " + domain + ") = " + result.result());
        result.chain().forEach(l -> out.println("  " + l));
      }
      out.flush();
      return r.ok() ? 0 : CliException.CHECK_FAILED;
    }
  }
}
