// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.LoginThrottle;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.User;
import org.mailseal.auth.UserStore;
import org.mailseal.auth.UserStoreException;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.delivery.Bouncer;
import org.mailseal.delivery.DeliveryThreads;
import org.mailseal.delivery.DeliveryWorker;
import org.mailseal.delivery.Upstreams;
import org.mailseal.dkim.DkimSigner;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.metrics.AdminServer;
import org.mailseal.metrics.Readiness;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolException;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.submission.SigningKeys;
import org.mailseal.submission.SubmissionServer;
import org.mailseal.tls.ListenerTls;
import org.mailseal.tls.ServerTls;
import org.mailseal.tls.TlsException;
import org.mailseal.web.UserStoreAdminLogin;
import org.mailseal.web.WebException;
import org.mailseal.web.WebOptions;
import org.mailseal.web.WebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running relay, built from its configuration: the one place that calls {@code
 * Clock.systemUTC()} and {@code new SecureRandom()} for the server. {@link #start()} opens the
 * parts in dependency order (keys, spool, listeners, delivery, rotation, admin); {@link #stop()}
 * closes them in reverse. What runs between parts lives beside it: {@link RotationSetup} and {@link
 * RotationWatch} for keys, {@link Transports} for routes, {@link DnsStatusWatch} for {@code
 * /metrics}.
 */
public final class Relay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);

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
  private WebServer web; // null unless web: is configured
  private Cluster cluster; // null in the embedded default
  private Transports transports;
  private DeliveryThreads delivery;
  private ScheduledFuture<?> upstreamProbes;

  /**
   * Probes of upstreams that are down: one may block for an SMTP timeout, so a thread of its own.
   */
  private final ScheduledExecutorService probes =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "mailseal-upstream-probe");
            t.setDaemon(true);
            return t;
          });

  private RotationWatch rotation;
  private AcmeRenewal acme;
  private ReportsWatch reports;
  private volatile boolean stopped;

  /**
   * @param out where the start prints what an operator must see (records to publish, ports)
   */
  public Relay(MailsealConfig config, PrintWriter out) {
    this.config = config;
    this.out = out;
  }

  /** Starts the relay; returns once every listener is open. */
  public void start() throws RelayException {
    try {
      startParts();
    } catch (KeyStoreException | SpoolException | UserStoreException e) {
      throw new RelayException(
          RelayException.Kind.UNAVAILABLE, "cannot start: " + e.getMessage(), e);
    } catch (TlsException e) {
      throw new RelayException(
          RelayException.Kind.CONFIGURATION, "cannot start: " + e.getMessage(), e);
    }
  }

  private void startParts()
      throws RelayException, KeyStoreException, SpoolException, TlsException, UserStoreException {
    ConfigLoader.describe(config).forEach(line -> log.info("config {}", line));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RelayMetrics metrics = new RelayMetrics(registry);

    log.info("dkim rsa-sha256 provider={}", DkimSigner.rsaProvider());
    KeyStore keys = keyStore();
    bootstrapKeys(keys);
    SigningKeys signingKeys = KeyOperations.signingKeys(config, keys, clock);
    signingKeys.refresh();
    for (String d : signingKeys.domainsWithoutKey()) {
      log.warn(
          "ACTION: domain {} has no ACTIVE DKIM key: its mail gets \"451 4.7.0\" until one is"
              + " active. See: mailseal keys list --domain {}; a PENDING key becomes ACTIVE once"
              + " DNS shows its record (or: mailseal keys activate)",
          d,
          d);
    }

    spool = Spool.open(config.spool().directory(), clock, SpoolOptions.defaults(random));
    metrics.queue(spool::depth, () -> spool.oldestAge().orElse(Duration.ZERO));
    log.info("spool opened dir={} queued={}", config.spool().directory(), spool.depth());
    BacklogProgress backlog = new BacklogProgress(spool.depth(), clock.instant());

    ServerTls tls = tls();
    UserStore users = new UserStore(config.users().file(), clock);
    log.info("users file={} users={}", users.file(), users.load().size());
    Authenticator authenticator =
        new Authenticator(
            users,
            new PasswordHasher(random),
            new LoginThrottle(clock),
            clock,
            random,
            config.users().loginCache());
    server =
        new SubmissionServer(
            new SubmissionServer.Parts(
                SubmissionServer.Options.of(config),
                tls,
                users,
                authenticator,
                signingKeys,
                spool,
                config.spool().directory().resolveSibling("tmp"),
                metrics,
                clock,
                random));
    try {
      server.start();
    } catch (IOException e) {
      throw new RelayException(
          RelayException.Kind.UNAVAILABLE, "cannot open the listeners: " + e.getMessage(), e);
    }

    Bouncer bouncer =
        new Bouncer(
            new SignedSubmission(signingKeys, spool, config.server().relayUnsigned()),
            config.server().hostname(),
            clock);
    transports = Transports.build(config, clock, random, metrics);
    DeliveryWorker worker =
        new DeliveryWorker(spool, transports.transport(), retry(), clock, bouncer, metrics);
    scheduler.scheduleWithFixedDelay(this::applyControl, 0, 500, TimeUnit.MILLISECONDS);
    delivery =
        new DeliveryThreads(
            worker,
            config.delivery().workers(),
            () -> backlog.progress(spool.depth(), clock.instant()));
    spool.whenStored(delivery::wake);
    delivery.start();
    // While a smarthost is down its mail waits for one probe instead of being tried message by
    // message; when the probe answers, every held message is released to the threads at once.
    Upstreams upstreams = transports.upstreams();
    upstreams.whenRecovered(
        ids -> {
          worker.release(ids);
          delivery.wakeAll();
        });
    upstreamProbes = upstreams.start(probes, Duration.ofSeconds(1));

    rotation = new RotationWatch(config, keys, signingKeys, metrics, clock, random, cluster);
    rotation.start();
    acme = AcmeRenewal.start(config, tls, metrics, clock, random);

    reports = ReportsWatch.build(config, cluster, keys, clock);
    reports.start(scheduler, metrics);

    // Before the admin listener: the JDK reads its HTTP servers' TCP_NODELAY switch only once.
    if (config.web().isPresent()) {
      startWeb(config.web().get(), keys, users, authenticator, tls, upstreams);
    }
    if (config.admin().enabled()) {
      startAdmin(registry, metrics, keys, signingKeys, upstreams);
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
            + config.delivery().route().tag());
    out.println("TLS certificate SHA-256 fingerprint: " + tls.fingerprint());
    out.flush();
  }

  private void startWeb(
      MailsealConfig.Web w,
      KeyStore keys,
      UserStore users,
      Authenticator authenticator,
      ServerTls tls,
      Upstreams upstreams)
      throws RelayException {
    DashboardData data =
        new DashboardData(
            config,
            keys,
            new DnsStatusWatch(config, keys, clock),
            spool,
            delivery::wake,
            clock,
            Optional.of(reports),
            upstreams::failing);
    try {
      web =
          WebServer.start(
              WebOptions.of(InetAddress.getByName(w.address()), w.port()),
              Optional.of(tls.context()),
              data,
              new UserStoreAdminLogin(authenticator, users, User::admin),
              clock,
              random);
    } catch (WebException | IOException e) {
      throw new RelayException(RelayException.Kind.UNAVAILABLE, e.getMessage(), e);
    }
    out.println("dashboard: " + web.uri());
  }

  private void startAdmin(
      PrometheusMeterRegistry registry,
      RelayMetrics metrics,
      KeyStore keys,
      SigningKeys signing,
      Upstreams upstreams)
      throws RelayException {
    admin =
        AdminListener.start(
            config,
            registry,
            metrics,
            new DnsStatusWatch(config, keys, clock),
            scheduler,
            List.of(
                new Readiness("listeners", () -> server.isRunning(), "a listener is down"),
                new Readiness(
                    "spool",
                    () -> Files.isWritable(config.spool().directory()),
                    "the spool directory is not writable"),
                new Readiness(
                    "keys",
                    () -> signing.domainsWithoutKey().isEmpty(),
                    () ->
                        "no ACTIVE DKIM key for "
                            + String.join(", ", signing.domainsWithoutKey())
                            + " (their mail gets 451; see: mailseal keys list)")),
            upstreams::failing);
  }

  /** The cluster's database when configured (opened and migrated now), else the key files. */
  private KeyStore keyStore() throws RelayException {
    if (config.cluster().isPresent()) {
      cluster = Cluster.open(config.cluster().get(), clock, random);
      return cluster.keys();
    }
    return new FileKeyStore(config.keys().directory(), clock);
  }

  /**
   * The configured files, the ACME files (self-signed until the first is issued), or self-signed.
   */
  private ServerTls tls() throws TlsException {
    return ListenerTls.open(config, clock, random);
  }

  private RetrySchedule retry() {
    RetrySchedule r = RetrySchedule.defaults(random).withMaxAge(config.spool().maxAge());
    return config.delivery().delayWarning().map(r::withDelayWarning).orElse(r);
  }

  private void applyControl() {
    try {
      spool.applyControlRequests();
    } catch (SpoolException | RuntimeException e) {
      log.error("spool control failed: {}", e.getMessage(), e);
    }
  }

  /** Prints and logs the records of first keys, and exports each new domain's records. */
  private void bootstrapKeys(KeyStore keys) throws KeyStoreException, RelayException {
    KeyOperations operations =
        new KeyOperations(keys, config.keys().selectorTemplate(), clock, random);
    for (String d : config.domainNames()) {
      List<DkimKey> made = operations.bootstrap(config.domains().get(d));
      for (DkimKey k : made) {
        log.warn(
            "ACTION: publish TXT {} \"{}\" (first key of {}, signing now; receivers verify it once"
                + " DNS has it)",
            k.recordName(),
            k.record().render(),
            d);
        out.println("; first " + k.algorithm().tag() + " key of " + d + " is ACTIVE; publish:");
        out.println(DnsExport.zoneLine(k));
      }
      if (!made.isEmpty()) {
        DnsExport.export(config, keys, d, clock);
      }
    }
    out.flush();
  }

  /** Stops accepting, lets sessions finish within the grace period, then closes everything. */
  public void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    Duration grace = config.server().shutdownGrace();
    log.info("shutdown: refusing new sessions, waiting up to {}", grace);
    if (server != null) {
      server.stop(grace);
    }
    scheduler.shutdown();
    if (upstreamProbes != null) {
      upstreamProbes.cancel(true);
    }
    probes.shutdownNow();
    if (delivery != null) {
      delivery.stop(grace);
    }
    try {
      if (!scheduler.awaitTermination(grace.toSeconds(), TimeUnit.SECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (transports != null) {
      transports.close();
    }
    if (acme != null) {
      acme.close();
    }
    if (rotation != null) {
      rotation.close();
    }
    if (web != null) {
      web.close();
    }
    if (admin != null) {
      admin.stop();
    }
    if (spool != null) {
      spool.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    log.info("shutdown complete");
  }

  @Override
  public void close() {
    stop();
  }

  /** The Quartz properties the rotation scheduler was given. */
  Properties rotationQuartz() {
    return rotation.quartz();
  }

  /** The dashboard's address, when {@code web:} is configured. */
  public Optional<URI> webUri() {
    return Optional.ofNullable(web).map(WebServer::uri);
  }

  /** The admin listener's bound port (0 in the configuration means any free one). */
  public int adminPort() {
    return admin.port();
  }

  /** The bound ports of the listeners: submission, submissions, then trusted when configured. */
  public List<Integer> ports() {
    return server.ports();
  }
}
