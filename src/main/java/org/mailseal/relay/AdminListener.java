// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.mailseal.config.MailsealConfig;
import org.mailseal.metrics.AdminServer;
import org.mailseal.metrics.Readiness;
import org.mailseal.metrics.RelayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener of the running relay ({@code /metrics}, {@code /health}, {@code /ready}) and
 * the DNS status behind {@code mailseal_dns_record_ok}, checked every {@code
 * keys.reconcile-interval}. Without the listener nobody reads that gauge, so serve asks no DNS.
 */
final class AdminListener {
  private static final Logger log = LoggerFactory.getLogger(AdminListener.class);

  private AdminListener() {}

  /**
   * Starts the DNS status checks on {@code scheduler} and opens the listener.
   *
   * @param readiness what {@code /ready} checks, in the order it reports them
   * @param notices lines {@code /ready} prints without failing (upstreams that are down: mail is
   *     still accepted and queued)
   */
  static AdminServer start(
      MailsealConfig config,
      PrometheusMeterRegistry registry,
      RelayMetrics metrics,
      DnsStatusWatch dns,
      ScheduledExecutorService scheduler,
      List<Readiness> readiness,
      Supplier<List<String>> notices)
      throws RelayException {
    metrics.dnsRecords(dns::rows);
    scheduler.scheduleWithFixedDelay(
        () -> {
          dns.checkAll();
          metrics.refresh();
        },
        0,
        config.keys().reconcileInterval().toMillis(),
        TimeUnit.MILLISECONDS);
    MailsealConfig.Admin a = config.admin();
    AdminServer admin;
    try {
      admin = new AdminServer(a.address(), a.port(), registry, metrics, readiness, notices);
      admin.start();
    } catch (IOException e) {
      throw new RelayException(
          RelayException.Kind.UNAVAILABLE,
          "admin listener " + a.address() + ":" + a.port() + ": " + e.getMessage(),
          e);
    }
    log.info("admin listening {}:{}", a.address(), admin.port());
    return admin;
  }
}
