// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.records.CheckResult;
import org.mailseal.records.DnsChecker;
import org.mailseal.records.DnsRecord;
import org.mailseal.records.RecordPlan;
import org.mailseal.records.ZoneWriter;
import org.mailseal.relay.PublishedPolicies;
import org.mailseal.relay.RelayException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mailseal dns …}: the records each domain should publish, and whether DNS shows them. */
@Command(
    name = "dns",
    mixinStandardHelpOptions = true,
    description = "Print the DNS records to publish, and check what DNS shows.",
    subcommands = {DnsCommand.Records.class, DnsCommand.Check.class})
final class DnsCommand {
  private DnsCommand() {}

  /** Options shared by both subcommands. */
  static final class Selection {
    @Mixin KeyStoreOptions store;

    @Option(names = "--domain", description = "Only this domain (default: every domain with keys).")
    String domain;

    @Option(
        names = "--spf",
        paramLabel = "RECORD",
        description =
            "The SPF record the domain should publish, e.g. \"v=spf1 include:_spf.google.com ~all\".")
    String spf;

    @Option(
        names = "--dmarc",
        paramLabel = "RECORD",
        description =
            "The DMARC record the domain should publish, e.g. \"v=DMARC1; p=none; rua=mailto:…\".")
    String dmarc;

    /** Every record of the selected domains, in a stable order. */
    List<DnsRecord> plan(Clock clock) throws RelayException {
      Optional<MailsealConfig> config = store.configuration();
      KeyStore keys = store.open(clock);
      List<DnsRecord> out = new ArrayList<>();
      try {
        TreeSet<String> domains = new TreeSet<>();
        if (domain != null) {
          domains.add(KeysCommand.domain(domain));
        } else {
          config.ifPresent(c -> domains.addAll(c.allDomainNames()));
          keys.list().forEach(k -> domains.add(k.domain()));
        }
        if (domains.isEmpty()) {
          throw new CliException(
              "no domains: none configured and no keys in "
                  + store.directory()
                  + "; make some with: mailseal keys generate --domain D");
        }
        if ((spf != null || dmarc != null) && domains.size() > 1) {
          throw new CliException("--spf and --dmarc need --domain");
        }
        for (String d : domains) {
          Optional<MailsealConfig.Domain> configured = config.flatMap(c -> c.domain(d));
          if (configured.isPresent() && configured.get().parked()) {
            out.addAll(RecordPlan.parked(d, configured.get().dmarc().rua()));
            continue;
          }
          Optional<String> spfValue =
              Optional.ofNullable(spf)
                  .or(() -> configured.map(x -> PublishedPolicies.spf(config.orElseThrow(), x)));
          Optional<String> dmarcValue =
              Optional.ofNullable(dmarc).or(() -> configured.map(PublishedPolicies::dmarc));
          out.addAll(RecordPlan.forDomain(d, keys.list(d), spfValue, dmarcValue, clock.instant()));
        }
      } catch (KeyStoreException e) {
        throw KeysCommand.failure(e);
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage());
      }
      return out;
    }
  }

  @Command(
      name = "records",
      mixinStandardHelpOptions = true,
      description = "Print every record the domain(s) should publish now.")
  static final class Records implements Callable<Integer> {
    @Mixin Selection selection;

    @Option(
        names = "--format",
        defaultValue = "bind",
        description = "bind (zone-file lines), table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ZoneWriter.Format f;
      try {
        f = ZoneWriter.Format.parse(format);
      } catch (IllegalArgumentException e) {
        throw new CliException("--format: " + e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.print(ZoneWriter.render(selection.plan(Clock.systemUTC()), f));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Look up every record the domain(s) should publish and report ok, missing or different.",
        "Exits 1 when any record is not as it should be."
      })
  static final class Check implements Callable<Integer> {
    @Mixin Selection selection;

    @Mixin DnsServerOption dns;

    @Option(
        names = "--authoritative",
        description = "Ask every authoritative name server of the domain, not a resolver.")
    boolean authoritative;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      List<DnsRecord> plan = selection.plan(Clock.systemUTC());
      DnsLookup lookup = dns.lookup();
      DnsChecker checker = new DnsChecker(lookup);
      List<CheckResult> results = new ArrayList<>();
      if (authoritative) {
        TreeSet<String> domains = new TreeSet<>();
        plan.forEach(r -> domains.add(domainOf(r)));
        for (String d : domains) {
          List<DnsRecord> mine = plan.stream().filter(r -> domainOf(r).equals(d)).toList();
          try {
            results.addAll(checker.checkAuthoritative(mine, d, DnsjavaLookup::server));
          } catch (DnsLookupException e) {
            throw new CliException(e.getMessage(), CliException.CHECK_FAILED);
          }
        }
      } else {
        results.addAll(checker.check(plan));
      }
      PrintWriter out = spec.commandLine().getOut();
      long problems = results.stream().filter(r -> !r.ok()).count();
      results.forEach(r -> out.println(r.describe()));
      out.println(
          problems == 0
              ? "all " + results.size() + " records are published as expected"
              : problems + " of " + results.size() + " records are not as expected");
      out.flush();
      return problems == 0 ? 0 : CliException.CHECK_FAILED;
    }

    /** The domain a record belongs to: its owner name without _domainkey or _dmarc parts. */
    private static String domainOf(DnsRecord r) {
      String n = r.name().toString(true);
      int dk = n.indexOf("._domainkey.");
      if (dk >= 0) {
        return n.substring(dk + "._domainkey.".length());
      }
      return n.startsWith("_dmarc.") ? n.substring("_dmarc.".length()) : n;
    }
  }
}
