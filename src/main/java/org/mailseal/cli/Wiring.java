// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.LoginThrottle;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.UserStore;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.db.QuartzCluster;
import org.mailseal.delivery.Bouncer;
import org.mailseal.delivery.ClientTls;
import org.mailseal.delivery.DeliveryWorker;
import org.mailseal.delivery.FileTransport;
import org.mailseal.delivery.MxTransport;
import org.mailseal.delivery.RoutingTransport;
import org.mailseal.delivery.SmarthostTransport;
import org.mailseal.delivery.Transport;
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
import org.mailseal.rotation.PublishHook;
import org.mailseal.rotation.Reconciler;
import org.mailseal.rotation.RotationException;
import org.mailseal.rotation.RotationPolicy;
import org.mailseal.rotation.RotationScheduler;
import org.mailseal.rotation.Rotator;
import org.mailseal.rotation.Transition;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolException;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.submission.SigningKeys;
import org.mailseal.submission.SubmissionServer;
import org.mailseal.tls.ServerTls;
import org.mailseal.tls.TlsException;
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
  private final ScheduledExecutorService delivery;
  private final List<Transport> transports = new ArrayList<>();
  private Spool spool;
  private SubmissionServer server;
  private AdminServer admin;
  private SigningKeys signingKeys;
  private KeyStore keys;
  private Cluster cluster; // null in the embedded default
  private RotationScheduler rotation;
  private BacklogProgress backlog;
  private volatile boolean stopped;

  /** Permits for idle delivery threads: released when a message is stored. */
  private final Semaphore deliveryWork = new Semaphore(0);

  Wiring(MailsealConfig config, PrintWriter out) {
    this.config = config;
    this.out = out;
    AtomicInteger n = new AtomicInteger();
    this.delivery =
        Executors.newScheduledThreadPool(
            config.delivery().workers(),
            r -> {
              Thread t = new Thread(r, "mailseal-delivery-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts the relay; returns once every listener is open. */
  void start() throws IOException, KeyStoreException, SpoolException, TlsException {
    ConfigLoader.describe(config).forEach(line -> log.info("config {}", line));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RelayMetrics metrics = new RelayMetrics(registry);

    log.info("dkim rsa-sha256 provider={}", org.mailseal.dkim.DkimSigner.rsaProvider());
    keys = keyStore();
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
            users,
            new PasswordHasher(random),
            new LoginThrottle(clock),
            clock,
            random,
            config.users().loginCache());
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

    Bouncer bouncer =
        new Bouncer(
            new SignedSubmission(signingKeys, spool, config.server().relayUnsigned()),
            config.server().hostname(),
            clock);
    DeliveryWorker worker =
        new DeliveryWorker(spool, transport(), retry(), clock, bouncer, metrics);
    scheduler.scheduleWithFixedDelay(this::applyControl, 0, 500, TimeUnit.MILLISECONDS);
    // Each thread takes due messages the others are not attempting (see DeliveryWorker). A store
    // wakes one idle thread; retries that fall due are found by the poll every 500 ms.
    spool.whenStored(this::wakeDelivery);
    for (int i = 0; i < config.delivery().workers(); i++) {
      delivery.execute(() -> deliveryLoop(worker));
    }
    startRotation(keys, metrics);

    if (config.admin().enabled()) {
      // Only for /metrics: without the admin listener nobody reads it, and serve asks no DNS.
      DnsStatusWatch dns = new DnsStatusWatch(config, keys, clock);
      metrics.dnsRecords(dns::rows);
      long every = config.keys().reconcileInterval().toMillis();
      scheduler.scheduleWithFixedDelay(
          () -> {
            dns.checkAll();
            metrics.refresh();
          },
          0,
          every,
          TimeUnit.MILLISECONDS);
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

  /** The cluster's database when configured (opened and migrated now), else the key files. */
  private KeyStore keyStore() {
    if (config.cluster().isPresent()) {
      cluster = Cluster.open(config.cluster().get(), clock, random);
      return cluster.keys();
    }
    return new FileKeyStore(config.keys().directory(), clock);
  }

  /**
   * The Quartz properties for the rotation scheduler: in cluster mode the clustered JDBC job store
   * over the cluster's pool (so a schedule fires on one node), else Quartz in memory. Call after
   * {@link #keyStore()} has opened the cluster.
   */
  Properties rotationQuartz() {
    return cluster != null
        ? cluster.quartz(random)
        : RotationScheduler.embedded(QuartzCluster.CLUSTER_NAME);
  }

  private ServerTls tls() throws TlsException {
    MailsealConfig.Tls t = config.tls();
    if (t.certificate().isPresent()) {
      return ServerTls.fromFiles(t.certificate().get(), t.key().get(), clock);
    }
    return ServerTls.selfSigned(t.selfSignedDirectory(), config.server().hostname(), clock, random);
  }

  /** The default route, and through a {@link RoutingTransport} the per-domain ones. */
  private Transport transport() throws IOException {
    MailsealConfig.Delivery d = config.delivery();
    Map<String, Transport> byName = new HashMap<>();
    byName.put(d.route(), transport(d.route()));
    Map<String, Transport> byDomain = new HashMap<>();
    for (Map.Entry<String, String> r : d.routes().entrySet()) {
      if (!byName.containsKey(r.getValue())) {
        byName.put(r.getValue(), transport(r.getValue()));
      }
      byDomain.put(r.getKey(), byName.get(r.getValue()));
    }
    transports.addAll(byName.values());
    return byDomain.isEmpty()
        ? byName.get(d.route())
        : new RoutingTransport(byName.get(d.route()), byDomain);
  }

  private Transport transport(String route) throws IOException {
    MailsealConfig.Delivery d = config.delivery();
    switch (route) {
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
                SmarthostTransport.Security.valueOf(sh.tls().toUpperCase(java.util.Locale.ROOT)),
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
      case "mx":
        MailsealConfig.Mx mx = d.mx();
        return new MxTransport(
            new MxTransport.Settings(
                mx.port(),
                firstAddress(mx.egressIpv4()),
                firstAddress(mx.egressIpv6()),
                mx.connectionsPerDestination(),
                Duration.ofMinutes(2),
                config.server().hostname(),
                ClientTls.unverified()),
            DnsjavaLookup.system(),
            random,
            clock);
      default:
        throw new CliException("delivery route " + route + " is unknown");
    }
  }

  /** The first configured egress address; the others are for SPF only. */
  private static Optional<InetAddress> firstAddress(List<String> literals) throws IOException {
    return literals.isEmpty()
        ? Optional.empty()
        : Optional.of(InetAddress.getByName(literals.get(0)));
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

  private void wakeDelivery() {
    // One permit per idle thread is enough; more would only make busy threads poll again.
    if (deliveryWork.availablePermits() < config.delivery().workers()) {
      deliveryWork.release();
    }
  }

  private void deliveryLoop(DeliveryWorker worker) {
    while (!stopped) {
      deliver(worker);
      try {
        deliveryWork.tryAcquire(500, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void deliver(DeliveryWorker worker) {
    try {
      while (!stopped && worker.runOnce(100) > 0) {
        backlog.progress(spool.depth(), clock.instant());
      }
      backlog.progress(spool.depth(), clock.instant());
    } catch (SpoolException | RuntimeException e) {
      log.error("delivery pass failed: {}", e.getMessage(), e);
    }
  }

  /**
   * Key rotation on Quartz (in memory): each domain's generation schedule and the periodic
   * reconcile, which checks DNS the way the domain's {@code rotation.dns-check} says. After every
   * reconcile of a domain: the DNS-late gauge, the export under {@code keys.dns-export}, the
   * publish command, and the signing keys.
   */
  private void startRotation(KeyStore keys, RelayMetrics metrics) throws IOException {
    Map<String, RotationPolicy> policies = new LinkedHashMap<>();
    Map<String, PublishHook> hooks = new HashMap<>();
    for (String d : config.domainNames()) {
      MailsealConfig.Domain dom = config.domains().get(d);
      policies.put(d, KeysCommand.policy(dom));
      hooks.put(
          d,
          new PublishHook(
              dom.rotation().publishCommand(),
              PublishHook.DEFAULT_TIMEOUT,
              config.keys().dnsExport()));
    }
    Reconciler reconciler =
        new Reconciler(
            keys,
            new KeyGenerator(random),
            new SelectorTemplate(config.keys().selectorTemplate()),
            clock,
            KeysCommand.dnsView(config));
    Rotator rotator =
        new Rotator(
            reconciler,
            policies,
            (domain, done) -> {
              List<String> late = new ArrayList<>();
              for (Transition t : done) {
                if (t instanceof Transition.DnsLate l) {
                  late.add(l.key().selector().value()); // the Reconciler logged it at WARN
                } else {
                  log.info("rotation {}", t.describe());
                }
              }
              metrics.dnsLate(domain, late);
              hooks.get(domain).publish(domain, KeysCommand.export(config, keys, domain, clock));
              signingKeys.refresh();
              metrics.refresh();
            });
    metrics.keys(() -> keyInfo(keys, policies));
    try {
      rotation =
          new RotationScheduler(rotationQuartz(), rotator, config.keys().reconcileInterval());
      rotation.start();
    } catch (RotationException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Each key's state and the days until its domain's next scheduled rotation, for /metrics. */
  private List<RelayMetrics.KeyInfo> keyInfo(KeyStore keys, Map<String, RotationPolicy> policies) {
    List<RelayMetrics.KeyInfo> out = new ArrayList<>();
    java.time.Instant now = clock.instant();
    for (String d : config.domainNames()) {
      List<DkimKey> all;
      try {
        all = keys.list(d);
      } catch (KeyStoreException e) {
        throw new IllegalStateException(e.getMessage(), e); // RelayMetrics keeps the last rows
      }
      java.time.Instant newest =
          all.stream().map(DkimKey::created).max(java.util.Comparator.naturalOrder()).orElse(now);
      Duration until =
          policies
              .get(d)
              .nextGeneration(newest)
              .map(t -> Duration.between(now, t))
              .orElse(Duration.ZERO);
      for (DkimKey k : all) {
        out.add(
            new RelayMetrics.KeyInfo(
                d, k.selector().value(), k.algorithm().tag(), k.state().name(), until));
      }
    }
    return out;
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
        DkimKey k;
        try {
          k = keys.add(d, s, generator.generate(a, dom.rsaBits()).getPrivate(), KeyState.ACTIVE);
        } catch (KeyStoreException.DuplicateSelector e) {
          // Cluster nodes starting together on an empty database: another node made this key.
          log.info("first key made by another node domain={} selector={}", d, s);
          continue;
        }
        log.warn(
            "ACTION: publish TXT {} \"{}\" (first key of {}, signing now; receivers verify it once"
                + " DNS has it)",
            k.recordName(),
            k.record().render(),
            d);
        out.println("; first " + a.tag() + " key of " + d + " is ACTIVE; publish:");
        out.println(KeysCommand.zoneLine(k));
      }
      KeysCommand.export(config, keys, d, clock);
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
    delivery.shutdown();
    try {
      if (!scheduler.awaitTermination(
          config.server().shutdownGrace().toSeconds(), TimeUnit.SECONDS)) {
        scheduler.shutdownNow();
      }
      if (!delivery.awaitTermination(
          config.server().shutdownGrace().toSeconds(), TimeUnit.SECONDS)) {
        delivery.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Transport t : transports) {
      if (t instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          log.debug("transport close failed", e);
        }
      }
    }
    if (rotation != null) {
      rotation.close();
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

  Path spoolDirectory() {
    return config.spool().directory();
  }

  /** The admin listener's bound port (0 in the configuration means any free one). */
  int adminPort() {
    return admin.port();
  }

  SubmissionServer server() {
    return server;
  }
}
