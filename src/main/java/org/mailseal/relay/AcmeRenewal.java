// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mailseal.config.MailsealConfig;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.tls.AcmeRenewer;
import org.mailseal.tls.CertificateInfo;
import org.mailseal.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners' certificate in the running relay: its expiry on {@code /metrics}, and with {@code
 * tls.acme} the renewer checked at start and every {@link #CHECK_EVERY} on a thread of its own (an
 * order may wait minutes for the CA and DNS; it must not hold up the relay's other scheduled work).
 * {@link AcmeRenewer#renewIfDue()} does nothing until a renewal is due and backs off after a
 * failure, while the current certificate keeps serving. In cluster mode each node renews the files
 * it serves itself.
 */
final class AcmeRenewal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AcmeRenewal.class);

  /** How often the renewer is asked whether a renewal is due. */
  static final Duration CHECK_EVERY = Duration.ofMinutes(10);

  private final Optional<AcmeRenewer> renewer;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mailseal-acme");
            t.setDaemon(true);
            return t;
          });

  private AcmeRenewal(Optional<AcmeRenewer> renewer) {
    this.renewer = renewer;
  }

  /**
   * Registers the certificate-expiry gauge for {@code tls} and, with {@code tls.acme}, starts the
   * renewal checks.
   */
  static AcmeRenewal start(
      MailsealConfig config,
      ServerTls tls,
      RelayMetrics metrics,
      Clock clock,
      SecureRandom random) {
    AcmeRenewal r = new AcmeRenewal(AcmeRenewer.fromConfig(config, clock, random));
    // With ACME, the file (renewed before any handshake reloads it); else what the listeners hold.
    metrics.certificateExpiry(
        () ->
            r.renewer
                .map(a -> a.current().map(CertificateInfo::notAfter))
                .orElseGet(() -> Optional.of(tls.certificate().getNotAfter().toInstant())));
    r.renewer.ifPresent(
        a -> {
          log.info(
              "acme renewal checks every {} names={} next={}",
              CHECK_EVERY,
              config.tls().acme().get().names(),
              a.nextRenewal());
          r.thread.scheduleWithFixedDelay(
              r::check, 0, CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        });
    return r;
  }

  /** One check; the renewer logs what it did. */
  void check() {
    try {
      renewer.ifPresent(AcmeRenewer::renewIfDue);
    } catch (RuntimeException e) {
      log.error("acme renewal check failed: {}", e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
