// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLSocketFactory;
import org.mailseal.config.MailsealConfig;
import org.mailseal.delivery.ClientTls;
import org.mailseal.dns.DnsLookup;
import org.mailseal.records.DmarcCheck;
import org.mailseal.relay.RelayException;
import org.mailseal.reports.DnsSourceLookup;
import org.mailseal.reports.DomainFacts;
import org.mailseal.reports.DomainReport;
import org.mailseal.reports.ImapFetcher;
import org.mailseal.reports.ImportSummary;
import org.mailseal.reports.ReadOutcome;
import org.mailseal.reports.ReportAnalyzer;
import org.mailseal.reports.ReportFetchException;
import org.mailseal.reports.ReportHistory;
import org.mailseal.reports.ReportImporter;
import org.mailseal.reports.ReportLimits;
import org.mailseal.reports.ReportStore;
import org.mailseal.reports.ReportStoreException;
import org.mailseal.reports.ReportText;
import org.mailseal.reports.SourceLookup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailseal dmarc}: check a domain's policy ({@code check}), read aggregate reports ({@code
 * import}, {@code fetch}) and say what they mean ({@code report}).
 */
@Command(
    name = "dmarc",
    mixinStandardHelpOptions = true,
    description = "Check DMARC policies and read the aggregate reports receivers send.",
    subcommands = {
      DmarcCommand.Check.class,
      DmarcCommand.Import.class,
      DmarcCommand.Fetch.class,
      DmarcCommand.Report.class
    })
final class DmarcCommand {
  private DmarcCommand() {}

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Find DOMAIN's DMARC policy (RFC 9989 tree walk), lint it, and say which step of the",
        "ramp p=none -> p=quarantine -> p=reject it is on. Exits 1 when there is no record or it",
        "does not parse. When reports have been imported (dmarc import, dmarc fetch), says too",
        "whether they show the next step is safe."
      })
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "DOMAIN")
    String domain;

    @Mixin DnsServerOption dns;

    @Mixin ReportOptions reports;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      DnsLookup lookup = dns.lookup();
      String d = KeysCommand.domain(domain);
      int code = run(lookup, d, spec.commandLine().getOut());
      Clock clock = Clock.systemUTC();
      ReportHistory history;
      try {
        DomainFacts facts = reports.facts(d, clock);
        history =
            new ReportHistory(
                reports.store(clock), new ReportAnalyzer(SourceLookup.NONE), x -> facts, clock);
      } catch (RelayException | CliException e) {
        // The check stands on DNS alone; reports are a bonus when they can be read.
        return code;
      }
      verdict(history, d, spec.commandLine().getOut());
      return code;
    }

    /** The ramp verdict from the stored reports, when there are any for {@code domain}. */
    static void verdict(ReportHistory history, String domain, PrintWriter out) {
      try {
        DomainReport r = history.report(domain, Duration.ofDays(30));
        if (r.verdict().current().isPresent()) {
          out.println("reports: " + r.verdict().summary());
        }
      } catch (ReportStoreException e) {
        out.println("reports: cannot be read: " + e.getMessage());
      }
      out.flush();
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

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Read DMARC aggregate reports from files or directories (XML, .xml.gz, .zip, or e-mails",
        "carrying them) into the report store. A report already stored counts once; an input",
        "that is no readable report is set aside with one line saying why."
      })
  static final class Import implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|DIR", arity = "1..*")
    List<Path> paths;

    @Mixin ReportOptions options;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws RelayException {
      Clock clock = Clock.systemUTC();
      ReportImporter importer = new ReportImporter(options.reader(), options.store(clock));
      return run(importer, paths, spec.commandLine().getOut());
    }

    static int run(ReportImporter importer, List<Path> paths, PrintWriter out) {
      ImportSummary s;
      try {
        s = importer.importPaths(paths);
      } catch (ReportStoreException e) {
        throw new CliException("report store: " + e.getMessage());
      }
      print(s, out);
      return 0;
    }
  }

  static void print(ImportSummary s, PrintWriter out) {
    for (ReadOutcome.SetAside a : s.setAside()) {
      out.println(a.describe());
    }
    out.println(s.line());
    out.flush();
  }

  @Command(
      name = "fetch",
      mixinStandardHelpOptions = true,
      description = {
        "Read new reports from the mailbox of dmarc.reports.imap once, then mark the messages",
        "read or move them, as after-read says."
      })
  static final class Fetch implements Callable<Integer> {
    @Mixin ReportOptions options;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws RelayException {
      Clock clock = Clock.systemUTC();
      MailsealConfig.Imap imap =
          options
              .configuration()
              .flatMap(c -> c.dmarc().reports().imap())
              .orElseThrow(
                  () ->
                      new CliException(
                          "no mailbox to fetch from: add dmarc.reports.imap to the configuration"));
      SSLSocketFactory tls;
      try {
        tls =
            imap.caFile().isPresent()
                ? ClientTls.fromCaFile(imap.caFile().get())
                : ClientTls.systemTrust();
      } catch (IOException e) {
        throw new CliException("dmarc.reports.imap.ca-file: " + e.getMessage());
      }
      ImapFetcher fetcher =
          new ImapFetcher(
              imap,
              tls,
              new ReportImporter(options.reader(), options.store(clock)),
              ReportLimits.DEFAULT.maxInputBytes());
      return run(fetcher, spec.commandLine().getOut());
    }

    static int run(ImapFetcher fetcher, PrintWriter out) {
      ImapFetcher.FetchSummary s;
      try {
        s = fetcher.fetchOnce();
      } catch (ReportFetchException e) {
        throw new CliException(e.getMessage());
      } catch (ReportStoreException e) {
        throw new CliException("report store: " + e.getMessage());
      }
      for (ReadOutcome.SetAside a : s.imported().setAside()) {
        out.println(a.describe());
      }
      out.println(s.line());
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description = {
        "What the stored reports say about DOMAIN: per source address its reverse name, the",
        "reporting organisations, messages, SPF and DKIM alignment and who it is (this relay,",
        "an authorised service, unaligned), then whether the next DMARC step is safe."
      })
  static final class Report implements Callable<Integer> {
    @Option(names = "--domain", required = true, paramLabel = "DOMAIN")
    String domain;

    @Option(
        names = "--days",
        defaultValue = "30",
        paramLabel = "N",
        description = "The period: the last N days (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(
        names = "--format",
        defaultValue = "table",
        paramLabel = "FORMAT",
        description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--no-dns", description = "Do not look up reverse names and SPF includes.")
    boolean noDns;

    @Mixin ReportOptions options;

    @Mixin DnsServerOption dns;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws RelayException {
      Clock clock = Clock.systemUTC();
      String d = KeysCommand.domain(domain);
      if (days < 1 || days > 3650) {
        throw new CliException("--days: must be 1-3650, found " + days, CliException.USAGE);
      }
      if (!format.equals("table") && !format.equals("json")) {
        throw new CliException(
            "--format: must be table or json, found " + format, CliException.USAGE);
      }
      SourceLookup lookup = noDns ? SourceLookup.NONE : new DnsSourceLookup(dns.lookup(), clock);
      DomainFacts facts = options.facts(d, clock);
      ReportStore store = options.store(clock);
      ReportHistory history =
          new ReportHistory(store, new ReportAnalyzer(lookup), x -> facts, clock);
      return run(history, d, days, format, spec.commandLine().getOut());
    }

    static int run(ReportHistory history, String domain, int days, String format, PrintWriter out) {
      DomainReport r;
      try {
        r = history.report(domain, Duration.ofDays(days));
      } catch (ReportStoreException e) {
        throw new CliException("report store: " + e.getMessage());
      }
      out.print("json".equals(format) ? ReportText.json(r) : ReportText.table(r));
      out.flush();
      return 0;
    }
  }
}
