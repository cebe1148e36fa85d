// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.mailseal.config.MailsealConfig;
import org.mailseal.db.QuartzCluster;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.rotation.PublishHook;
import org.mailseal.rotation.RotationException;
import org.mailseal.rotation.RotationPolicy;
import org.mailseal.rotation.RotationScheduler;
import org.mailseal.rotation.Rotator;
import org.mailseal.rotation.Transition;
import org.mailseal.submission.SigningKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key rotation in the running relay: each domain's generation schedule and the periodic reconcile
 * on Quartz (in memory, or clustered in the cluster's database so a schedule fires on one node).
 * After every reconcile of a domain: the DNS-late gauge, the export under {@code keys.dns-export},
 * the publish command, and the signing keys.
 */
final class RotationWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RotationWatch.class);

  private final MailsealConfig config;
  private final KeyStore keys;
  private final SigningKeys signingKeys;
  private final RelayMetrics metrics;
  private final Clock clock;
  private final SecureRandom random;
  private final Cluster cluster; // null in the embedded default
  private final Map<String, RotationPolicy> policies;
  private final Map<String, PublishHook> hooks = new HashMap<>();
  private RotationScheduler scheduler;

  RotationWatch(
      MailsealConfig config,
      KeyStore keys,
      SigningKeys signingKeys,
      RelayMetrics metrics,
      Clock clock,
      SecureRandom random,
      Cluster cluster) {
    this.config = config;
    this.keys = keys;
    this.signingKeys = signingKeys;
    this.metrics = metrics;
    this.clock = clock;
    this.random = random;
    this.cluster = cluster;
    this.policies = RotationSetup.policies(config);
    for (String d : config.domainNames()) {
      hooks.put(
          d,
          new PublishHook(
              config.domains().get(d).rotation().publishCommand().argv(),
              PublishHook.DEFAULT_TIMEOUT,
              config.keys().dnsExport()));
    }
  }

  void start() throws RelayException {
    Rotator rotator =
        new Rotator(
            RotationSetup.reconciler(config, keys, clock, random, RotationSetup.dnsView(config)),
            policies,
            this::reconciled);
    metrics.keys(this::keyInfo);
    try {
      scheduler = new RotationScheduler(quartz(), rotator, config.keys().reconcileInterval());
      scheduler.start();
    } catch (RotationException e) {
      throw new RelayException(
          RelayException.Kind.UNAVAILABLE, "key rotation: " + e.getMessage(), e);
    }
  }

  /**
   * Quartz's properties: the clustered JDBC job store over the cluster's pool (so a schedule fires
   * on one node), else Quartz in memory.
   */
  Properties quartz() {
    return cluster != null
        ? cluster.quartz(random)
        : RotationScheduler.embedded(QuartzCluster.CLUSTER_NAME);
  }

  private void reconciled(String domain, List<Transition> done) throws KeyStoreException {
    List<String> late = new ArrayList<>();
    for (Transition t : done) {
      if (t instanceof Transition.DnsLate l) {
        late.add(l.key().selector().value()); // the Reconciler logged it at WARN
      } else {
        log.info("rotation {}", t.describe());
      }
    }
    metrics.dnsLate(domain, late);
    try {
      hooks.get(domain).publish(domain, DnsExport.export(config, keys, domain, clock));
    } catch (RelayException e) {
      log.error("dns export failed domain={} error=\"{}\"", domain, e.getMessage());
    }
    signingKeys.refresh();
    metrics.refresh();
  }

  /** Each key's state and the days until its domain's next scheduled rotation, for /metrics. */
  private List<RelayMetrics.KeyInfo> keyInfo() {
    List<RelayMetrics.KeyInfo> out = new ArrayList<>();
    Instant now = clock.instant();
    for (String d : config.domainNames()) {
      List<DkimKey> all;
      try {
        all = keys.list(d);
      } catch (KeyStoreException e) {
        throw new IllegalStateException(e.getMessage(), e); // RelayMetrics keeps the last rows
      }
      Instant newest =
          all.stream().map(DkimKey::created).max(Comparator.naturalOrder()).orElse(now);
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

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.close();
    }
  }
}
