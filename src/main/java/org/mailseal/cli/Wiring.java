// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.LoginThrottle;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.UserStore;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.delivery.ClientTls;
import org.mailseal.delivery.DeliveryWorker;
import org.mailseal.delivery.FileTransport;
import org.mailseal.delivery.SmarthostTransport;
import org.mailseal.delivery.Transport;
import org.mailseal.dns.DnsChecker;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.keys.Selector;
import org.mailseal.keys.SelectorTemplate;
import org.mailseal.metrics.AdminServer;
import org.mailseal.metrics.Readiness;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.rotation.Reconciler;
import org.mailseal.rotation.Transition;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolException;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.submission.ServerTls;
import org.mailseal.submission.SigningKeys;
import org.mailseal.submission.SubmissionServer;
import org.mailseal.submission.TlsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the running relay from its configuration: the one place that calls {@code
 * Clock.systemUTC()} and {@code new SecureRandom()} for the server, and that knows which part needs
 * which. {@link #start()} opens everything in dependency order; {@link #stop()} closes it in
 * reverse.
 */
final class Wiring implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Wiring.class);

  private final MailsealConfig config;
  private final PrintWriter out;
  private final Clock clock = Clock.systemUTC();
  private final SecureRandom random = new SecureRandom();
  private final ScheduledExecutorService scheduler =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "mailseal-scheduler");
            t.setDaemon(true);
            return t;
          });
  private Spool spool;
  private SubmissionServer server;
  private AdminServer admin;
  private SigningKeys signingKeys;
  private BacklogProgress backlog;
  private volatile boolean stopped;

  Wiring(MailsealConfig config, PrintWriter out) {
    this.config = config;
    this.out = out;
  }

  /** Starts the relay; returns once every listener is open. */
  void start() throws IOException, KeyStoreException, SpoolException, TlsException {
    ConfigLoader.describe(config).forEach(line -> log.info("config {}", line));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RelayMetrics metrics = new RelayMetrics(registry);

    KeyStore keys = new FileKeyStore(config.keys().directory(), clock);
    bootstrapKeys(keys);
    signingKeys =
        new SigningKeys(
            keys,
            Set.copyOf(config.domainNames()),
            clock,
            Math.max(1024, config.limits().headerSize() + 8192));
    signingKeys.refresh();

    spool = Spool.open(config.spool().directory(), clock, SpoolOptions.defaults(random));
    metrics.queue(spool::depth, () -> spool.oldestAge().orElse(Duration.ZERO));
    log.info("spool opened dir={} queued={}", config.spool().directory(), spool.depth());
    backlog = new BacklogProgress(spool.depth(), clock.instant());

    ServerTls tls = tls();
    UserStore users = new UserStore(config.users().file(), clock);
    try {
      log.info("users file={} users={}", users.file(), users.load().size());
    } catch (org.mailseal.auth.UserStoreException e) {
      throw new IOException(e.getMessage(), e);
    }
    Authenticator authenticator =
        new Authenticator(
            users, new PasswordHasher(random), new LoginThrottle(clock), clock, random);
    server =
        new SubmissionServer(
            new SubmissionServer.Parts(
                config,
                tls,
                users,
                authenticator,
                signingKeys,
                spool,
                config.spool().directory().resolveSibling("tmp"),
                metrics,
                clock,
                random));
    server.start();

    DeliveryWorker worker = new DeliveryWorker(spool, transport(), retry(), clock);
    scheduler.scheduleWithFixedDelay(() -> deliver(worker), 0, 500, TimeUnit.MILLISECONDS);
    Reconciler reconciler =
        new Reconciler(
            keys,
            new KeyGenerator(random),
            new SelectorTemplate(config.keys().selectorTemplate()),
            clock,
            Reconciler.dnsView(new DnsChecker(DnsjavaLookup.system())));
    long interval = config.keys().reconcileInterval().toSeconds();
    scheduler.scheduleWithFixedDelay(
        () -> reconcile(reconciler), interval, interval, TimeUnit.SECONDS);

    if (config.admin().enabled()) {
      admin =
          new AdminServer(
              config.admin().address(),
              config.admin().port(),
              registry,
              metrics,
              List.of(
                  new Readiness("listeners", () -> server.isRunning(), "a listener is down"),
                  new Readiness(
                      "spool",
                      () -> java.nio.file.Files.isWritable(config.spool().directory()),
                      "the spool directory is not writable"),
                  new Readiness(
                      "keys",
                      () -> signingKeys.domainsWithoutKey().isEmpty(),
                      "a signing domain has no ACTIVE key")));
      admin.start();
      log.info("admin listening {}:{}", config.admin().address(), admin.port());
    }
    out.println(
        "mailseal is running: submission "
            + config.listeners().submission().address()
            + ":"
            + server.ports().get(0)
            + " (STARTTLS), "
            + config.listeners().submissions().address()
            + ":"
            + server.ports().get(1)
            + " (TLS); delivery route "
            + config.delivery().route());
    out.println("TLS certificate SHA-256 fingerprint: " + tls.fingerprint());
    out.flush();
  }

  private ServerTls tls() throws TlsException {
    MailsealConfig.Tls t = config.tls();
    if (t.certificate().isPresent()) {
      return ServerTls.fromFiles(t.certificate().get(), t.key().get(), clock);
    }
    return ServerTls.selfSigned(t.selfSignedDirectory(), config.server().hostname(), clock, random);
  }

  private Transport transport() throws IOException {
    MailsealConfig.Delivery d = config.delivery();
    switch (d.route()) {
      case "file":
        return new FileTransport(d.fileDirectory());
      case "smarthost":
        MailsealConfig.Smarthost sh = d.smarthost();
        String password;
        try {
          password = sh.password().map(org.mailseal.config.SecretRef::resolve).orElse(null);
        } catch (IllegalStateException e) {
          throw new IOException("delivery.smarthost: " + e.getMessage(), e);
        }
        return new SmarthostTransport(
            new SmarthostTransport.Settings(
                sh.host(),
                sh.port(),
                "implicit".equals(sh.tls()),
                sh.username().isEmpty()
                    ? java.util.Optional.empty()
                    : java.util.Optional.of(sh.username()),
                java.util.Optional.ofNullable(password),
                sh.caFile().isPresent()
                    ? ClientTls.fromCaFile(sh.caFile().get())
                    : ClientTls.systemTrust(),
                sh.poolSize(),
                Duration.ofMinutes(2),
                config.server().hostname()));
      default:
        throw new CliException(
            "delivery route "
                + d.route()
                + " is not available in this build yet; use route: file or smarthost");
    }
  }

  private RetrySchedule retry() {
    RetrySchedule r = RetrySchedule.defaults(random).withMaxAge(config.spool().maxAge());
    return config.delivery().delayWarning().map(r::withDelayWarning).orElse(r);
  }

  private void deliver(DeliveryWorker worker) {
    try {
      spool.applyControlRequests();
      while (!stopped && worker.runOnce(100) > 0) {
        backlog.progress(spool.depth(), clock.instant());
      }
      backlog.progress(spool.depth(), clock.instant());
    } catch (SpoolException | RuntimeException e) {
      log.error("delivery pass failed: {}", e.getMessage(), e);
    }
  }

  private void reconcile(Reconciler reconciler) {
    try {
      for (String d : config.domainNames()) {
        for (Transition t : reconciler.reconcile(d, KeysCommand.policy(config.domains().get(d)))) {
          log.info("rotation {}", t.describe());
        }
        KeysCommand.export(config, d, clock);
      }
      signingKeys.refresh();
    } catch (KeyStoreException | RuntimeException e) {
      log.error("reconcile failed: {}", e.getMessage(), e);
    }
  }

  /**
   * A domain with no key at all gets its first keys now, ACTIVE at once: there is no older key to
   * protect, and mail can be signed from the first message (it verifies once DNS has the records
   * printed here). Every later key goes through PENDING and the DNS check.
   */
  private void bootstrapKeys(KeyStore keys) throws KeyStoreException {
    SelectorTemplate template = new SelectorTemplate(config.keys().selectorTemplate());
    KeyGenerator generator = new KeyGenerator(random);
    for (String d : config.domainNames()) {
      List<DkimKey> existing = keys.list(d);
      if (!existing.isEmpty()) {
        continue;
      }
      MailsealConfig.Domain dom = config.domains().get(d);
      Set<String> taken = new HashSet<>();
      for (String alg : dom.algorithms()) {
        KeyAlgorithm a = KeyAlgorithm.parse(alg);
        Selector s = template.render(LocalDate.now(clock), a, taken);
        taken.add(s.value());
        DkimKey k =
            keys.add(d, s, generator.generate(a, dom.rsaBits()).getPrivate(), KeyState.ACTIVE);
        log.warn(
            "ACTION: publish TXT {} \"{}\" (first key of {}, signing now; receivers verify it once"
                + " DNS has it)",
            k.recordName(),
            k.record().render(),
            d);
        out.println("; first " + a.tag() + " key of " + d + " is ACTIVE; publish:");
        out.println(KeysCommand.zoneLine(k));
      }
      KeysCommand.export(config, d, clock);
    }
    out.flush();
  }

  /** Stops accepting, lets sessions finish within the grace period, then closes everything. */
  void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    log.info("shutdown: refusing new sessions, waiting up to {}", config.server().shutdownGrace());
    if (server != null) {
      server.stop(config.server().shutdownGrace());
    }
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(
          config.server().shutdownGrace().toSeconds(), TimeUnit.SECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (admin != null) {
      admin.stop();
    }
    if (spool != null) {
      spool.close();
    }
    log.info("shutdown complete");
  }

  @Override
  public void close() {
    stop();
  }

  Path spoolDirectory() {
    return config.spool().directory();
  }

  SubmissionServer server() {
    return server;
  }
}
