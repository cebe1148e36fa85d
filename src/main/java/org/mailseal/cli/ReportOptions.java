// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.mailseal.config.MailsealConfig;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.relay.Cluster;
import org.mailseal.relay.RelayException;
import org.mailseal.reports.Alignment;
import org.mailseal.reports.DomainFacts;
import org.mailseal.reports.FileReportStore;
import org.mailseal.reports.RampPolicy;
import org.mailseal.reports.ReportLimits;
import org.mailseal.reports.ReportParser;
import org.mailseal.reports.ReportReader;
import org.mailseal.reports.ReportStore;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the {@code dmarc} commands keep reports and learn a domain's facts: the configuration's
 * store (the cluster's database, else {@code dmarc.reports.directory}), or {@code --reports-dir};
 * selectors from the key store.
 */
final class ReportOptions {
  @Mixin KeyStoreOptions keys;

  @Option(
      names = "--reports-dir",
      paramLabel = "DIR",
      description = "Report store directory (default: dmarc.reports.directory, or var/reports).")
  Path reportsDir;

  Optional<MailsealConfig> configuration() throws RelayException {
    return keys.configuration();
  }

  ReportStore store(Clock clock) throws RelayException {
    if (reportsDir != null) {
      return new FileReportStore(reportsDir);
    }
    Optional<MailsealConfig> config = configuration();
    Optional<MailsealConfig.Cluster> cluster = config.flatMap(MailsealConfig::cluster);
    if (cluster.isPresent()) {
      // The pool lives as long as the command; the process ends with it.
      return Cluster.open(cluster.get(), clock, new SecureRandom()).reports(clock);
    }
    return new FileReportStore(
        config.map(c -> c.dmarc().reports().directory()).orElse(Path.of("var/reports")));
  }

  ReportReader reader() {
    return new ReportReader(new ReportParser(ReportLimits.DEFAULT));
  }

  /** The facts of {@code domain}: configuration and key store when there are, defaults else. */
  DomainFacts facts(String domain, Clock clock) throws RelayException {
    List<DkimKey> own;
    try {
      own = keys.open(clock).list(domain);
    } catch (KeyStoreException e) {
      throw new CliException("key store: " + e.getMessage());
    }
    Optional<MailsealConfig> config = configuration();
    if (config.isPresent()) {
      return DomainFacts.of(domain, config.get(), own);
    }
    return new DomainFacts(
        domain,
        Alignment.RELAXED,
        Alignment.RELAXED,
        own.stream().map(k -> k.selector().value()).collect(Collectors.toSet()),
        Set.of(),
        RampPolicy.DEFAULT);
  }
}
