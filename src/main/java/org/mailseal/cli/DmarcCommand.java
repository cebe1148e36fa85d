// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.mailseal.dns.DnsLookup;
import org.mailseal.records.DmarcCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
        "Find DOMAIN's DMARC policy (RFC 9989 tree walk), lint it, and say which step of the",
        "ramp p=none -> p=quarantine -> p=reject it is on. Exits 1 when there is no record or it",
        "does not parse."
      })
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "DOMAIN")
    String domain;

    @Mixin DnsServerOption dns;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      DnsLookup lookup = dns.lookup();
      String d = KeysCommand.domain(domain);
      return run(lookup, d, spec.commandLine().getOut());
    }

    static int run(DnsLookup lookup, String domain, PrintWriter out) {
      DmarcCheck.Report r = DmarcCheck.check(lookup, domain);
      if (r.record().isPresent()) {
        out.println(r.foundAt().orElseThrow() + ": " + r.record().get());
        out.println("organizational domain: " + r.organizationalDomain());
      }
      r.problems().forEach(p -> out.println("error: " + p));
      r.warnings().forEach(w -> out.println("warning: " + w));
      out.println("step: " + r.step());
      out.println(r.next());
      out.flush();
      return r.ok() ? 0 : CliException.CHECK_FAILED;
    }
  }
}
