// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.mailseal.config.MailsealConfig;
import org.mailseal.delivery.ClientTls;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.reports.DomainFacts;
import org.mailseal.reports.FileReportStore;
import org.mailseal.reports.ImapFetcher;
import org.mailseal.reports.ReportAnalyzer;
import org.mailseal.reports.ReportFetchException;
import org.mailseal.reports.ReportHistory;
import org.mailseal.reports.ReportImporter;
import org.mailseal.reports.ReportLimits;
import org.mailseal.reports.ReportParser;
import org.mailseal.reports.ReportReader;
import org.mailseal.reports.ReportStore;
import org.mailseal.reports.ReportStoreException;
import org.mailseal.reports.SourceLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DMARC reports of the running relay: the store (the cluster's database, else {@code
 * dmarc.reports.directory}), the mailbox of {@code dmarc.reports.imap} fetched every {@code
 * interval}, and the aligned and unaligned volumes {@code /metrics} exports. The volumes are
 * counted after each fetch (and hourly without a mailbox) and kept, so a scrape never reads the
 * store.
 */
final class ReportsWatch {
  private static final Logger log = LoggerFactory.getLogger(ReportsWatch.class);

  /** The volumes exported: the reports of the last week, so a receiver's day of lag evens out. */
  static final Duration WINDOW = Duration.ofDays(7);

  /** How often volumes are recounted when no mailbox is fetched (imports come from the CLI). */
  static final Duration RECOUNT = Duration.ofHours(1);

  private final ReportStore store;
  private final ReportHistory history;
  private final Optional<ImapFetcher> fetcher;
  private final Optional<Duration> interval;
  private volatile List<RelayMetrics.DmarcVolume> volumes = List.of();

  private ReportsWatch(
      ReportStore store,
      ReportHistory history,
      Optional<ImapFetcher> fetcher,
      Optional<Duration> interval) {
    this.store = store;
    this.history = history;
    this.fetcher = fetcher;
    this.interval = interval;
  }

  /**
   * @param cluster the cluster's database, or null in the embedded default
   * @param keys where the domain's own selectors come from
   */
  static ReportsWatch build(MailsealConfig config, Cluster cluster, KeyStore keys, Clock clock)
      throws RelayException {
    ReportStore store =
        cluster != null
            ? cluster.reports(clock)
            : new FileReportStore(config.dmarc().reports().directory());
    ReportHistory history =
        new ReportHistory(
            store,
            new ReportAnalyzer(SourceLookup.NONE),
            domain -> DomainFacts.of(domain, config, ownKeys(keys, domain)),
            clock);
    Optional<MailsealConfig.Imap> imap = config.dmarc().reports().imap();
    Optional<ImapFetcher> fetcher = Optional.empty();
    if (imap.isPresent()) {
      ReportImporter importer =
          new ReportImporter(new ReportReader(new ReportParser(ReportLimits.DEFAULT)), store);
      fetcher =
          Optional.of(
              new ImapFetcher(
                  imap.get(), tls(imap.get()), importer, ReportLimits.DEFAULT.maxInputBytes()));
    }
    return new ReportsWatch(store, history, fetcher, imap.map(MailsealConfig.Imap::interval));
  }

  private static SSLSocketFactory tls(MailsealConfig.Imap imap) throws RelayException {
    try {
      return imap.caFile().isPresent()
          ? ClientTls.fromCaFile(imap.caFile().get())
          : ClientTls.systemTrust();
    } catch (IOException e) {
      throw new RelayException(
          RelayException.Kind.CONFIGURATION, "dmarc.reports.imap.ca-file: " + e.getMessage(), e);
    }
  }

  private static List<DkimKey> ownKeys(KeyStore keys, String domain) {
    try {
      return keys.list(domain);
    } catch (KeyStoreException e) {
      log.warn(
          "dmarc reports: key store unreadable domain={} error=\"{}\"", domain, e.getMessage());
      return List.of();
    }
  }

  /** Fetches (or recounts) now and then on schedule; exports the volumes on {@code metrics}. */
  void start(ScheduledExecutorService scheduler, RelayMetrics metrics) {
    metrics.dmarcVolumes(this::volumes);
    long every = interval.orElse(RECOUNT).toMillis();
    scheduler.scheduleWithFixedDelay(this::run, 0, every, TimeUnit.MILLISECONDS);
    fetcher.ifPresent(
        f ->
            log.info("dmarc reports fetched every {} from the configured mailbox", interval.get()));
  }

  /** One round: fetch when a mailbox is configured, then recount. Never throws. */
  void run() {
    fetcher.ifPresent(
        f -> {
          try {
            f.fetchOnce();
          } catch (ReportFetchException e) {
            log.warn("dmarc reports not fetched error=\"{}\"", e.getMessage());
          } catch (ReportStoreException e) {
            log.error("dmarc reports not stored error=\"{}\"", e.getMessage());
          } catch (RuntimeException e) {
            log.error("dmarc report fetch failed", e);
          }
        });
    recount();
  }

  private void recount() {
    try {
      List<RelayMetrics.DmarcVolume> counted = new ArrayList<>();
      for (ReportHistory.Volume v : history.volumes(WINDOW)) {
        counted.add(new RelayMetrics.DmarcVolume(v.domain(), v.aligned(), v.unaligned()));
      }
      volumes = List.copyOf(counted);
    } catch (ReportStoreException | RuntimeException e) {
      log.warn("dmarc report volumes not counted error=\"{}\"", e.getMessage());
    }
  }

  /** The volumes counted last, per domain with reports. */
  List<RelayMetrics.DmarcVolume> volumes() {
    return volumes;
  }

  /** The store, for the operations (web page, commands) that read the reports. */
  ReportStore store() {
    return store;
  }

  /** The stored reports and what they mean. */
  ReportHistory history() {
    return history;
  }
}
