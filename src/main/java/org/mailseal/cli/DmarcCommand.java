// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mailseal.config.ConfigLocation;
import org.mailseal.dns.DnsLookup;
import org.mailseal.records.DmarcCheck;
import org.mailseal.relay.Configs;
import org.mailseal.relay.PublishedPolicies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailseal dmarc check}: finds, lints and places a domain's DMARC policy on the ramp. */
@Command(
    name = "dmarc",
    mixinStandardHelpOptions = true,
    description = "Check DMARC policies.",
    subcommands = {DmarcCommand.Check.class})
final class DmarcCommand {
  private DmarcCommand() {}

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Find DOMAIN's DMARC policy (RFC 9989 tree walk), lint it, and say which step of the"
            + " ramp p=none -> p=quarantine -> p=reject it is on.",
        "With a configuration that signs DOMAIN, also compare the record with the one it asks"
            + " to publish. Exits 1 when there is no record or it does not parse, 3 when DNS could"
            + " not be asked."
      })
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "DOMAIN")
    String domain;

    @Mixin DnsServerOption dns;

    @Option(names = "--config", paramLabel = "FILE", description = ConfigLocation.HELP)
    Path config;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      DnsLookup lookup = dns.lookup();
      String d = KeysCommand.domain(domain);
      Optional<String> configured =
          Configs.loadIfPresent(config).flatMap(c -> c.domain(d)).map(PublishedPolicies::dmarc);
      return run(lookup, d, configured, spec.commandLine().getOut());
    }

    static int run(DnsLookup lookup, String domain, PrintWriter out) {
      return run(lookup, domain, Optional.empty(), out);
    }

    /**
     * @param configured the record the configuration asks to publish, when it signs the domain
     */
    static int run(DnsLookup dns, String domain, Optional<String> configured, PrintWriter out) {
      WatchedLookup lookup = new WatchedLookup(dns);
      DmarcCheck.Report r = DmarcCheck.check(lookup, domain);
      if (r.record().isPresent()) {
        out.println(r.foundAt().orElseThrow() + ": " + r.record().get());
        out.println("organizational domain: " + r.organizationalDomain());
      }
      configured.ifPresent(
          want -> {
            out.println("configured: " + want);
            if (r.record().isPresent() && !same(r.record().get(), want)) {
              out.println(
                  "warning: the published record differs from the configuration's; publish"
                      + " the configured one at _dmarc."
                      + domain
                      + " (mailseal dns export)");
            }
          });
      r.problems().forEach(p -> out.println("error: " + p));
      r.warnings().forEach(w -> out.println("warning: " + w));
      out.println("step: " + r.step());
      out.println(r.next());
      out.flush();
      return lookup.exitCode(r.ok());
    }

    /** Equal tag lists, whatever the spacing around {@code ;} and {@code =}. */
    private static boolean same(String a, String b) {
      return a.replaceAll("\\s*([;=])\\s*", "$1")
          .strip()
          .replaceAll(";$", "")
          .equals(b.replaceAll("\\s*([;=])\\s*", "$1").strip().replaceAll(";$", ""));
    }
  }
}
