// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.mailseal.dns.TxtRecord;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.keys.Selector;
import org.mailseal.keys.SelectorTemplate;
import org.mailseal.records.CheckResult;
import org.mailseal.records.DnsChecker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link RotationPlanner}'s transitions to the key store, and tells the operator, in
 * clearly marked {@code ACTION:} log lines, what to publish or remove. Safe to call at any time and
 * from any trigger: it reads the current state first, so a second call finds nothing to do.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  private final KeyStore store;
  private final KeyGenerator generator;
  private final SelectorTemplate selectors;
  private final Clock clock;
  private final Predicate<DkimKey> dnsShows;

  /**
   * @param dnsShows whether DNS shows a key's exact record (see {@link #dnsView(DnsChecker)})
   */
  public Reconciler(
      KeyStore store,
      KeyGenerator generator,
      SelectorTemplate selectors,
      Clock clock,
      Predicate<DkimKey> dnsShows) {
    this.store = store;
    this.generator = generator;
    this.selectors = selectors;
    this.clock = clock;
    this.dnsShows = dnsShows;
  }

  /** A DNS view that compares the key bytes DNS shows with the key's own (through a checker). */
  public static Predicate<DkimKey> dnsView(DnsChecker checker) {
    return key -> checker.check(List.of(DnsViews.expected(key))).get(0) instanceof CheckResult.Ok;
  }

  /** Reconciles one domain; returns what it did. */
  public List<Transition> reconcile(String domain, RotationPolicy policy) throws KeyStoreException {
    return apply(
        domain,
        RotationPlanner.plan(domain, store.list(domain), clock.instant(), policy, dnsShows),
        policy);
  }

  /**
   * A scheduled generation fired for {@code scheduledAt}: generates a key of each algorithm that
   * has none PENDING and none made for that time yet (see {@link RotationPlanner#scheduled}).
   */
  public List<Transition> generateScheduled(
      String domain, RotationPolicy policy, Instant scheduledAt) throws KeyStoreException {
    return apply(
        domain, RotationPlanner.scheduled(domain, store.list(domain), scheduledAt, policy), policy);
  }

  /** Activation retires the ACTIVE key of the same algorithm: say so, and until when it stays. */
  private static void logRetired(
      String domain, List<DkimKey> before, List<DkimKey> after, RotationPolicy policy) {
    for (DkimKey k : after) {
      boolean wasActive =
          before.stream()
              .anyMatch(b -> b.selector().equals(k.selector()) && b.state() != KeyState.RETIRED);
      if (k.state() == KeyState.RETIRED && wasActive) {
        log.info(
            "key retired domain={} selector={}; it stays published until {}, then is revoked",
            domain,
            k.selector(),
            k.retired().map(t -> t.plus(policy.grace()).toString()).orElse("its grace ends"));
      }
    }
  }

  private List<Transition> apply(String domain, List<Transition> plan, RotationPolicy policy)
      throws KeyStoreException {
    List<Transition> done = new ArrayList<>();
    for (Transition t : plan) {
      if (t instanceof Transition.Publish p) {
        DkimKey key = generate(domain, p, policy);
        log.info(
            "key generated domain={} selector={} algorithm={}; ACTION: publish TXT {} {}",
            domain,
            key.selector(),
            key.algorithm().tag(),
            key.recordName() + ".",
            TxtRecord.split(key.record().render()).zoneText());
      } else if (t instanceof Transition.Activate a) {
        List<DkimKey> before = store.list(domain);
        store.transition(domain, a.key().selector(), KeyState.ACTIVE);
        log.info("key activated domain={} selector={}", domain, a.key().selector());
        logRetired(domain, before, store.list(domain), policy);
      } else if (t instanceof Transition.Revoke r) {
        store.transition(domain, r.key().selector(), KeyState.REVOKED);
        log.info(
            "key revoked domain={} selector={}; ACTION: remove TXT {} (or publish it with an empty p=)",
            domain,
            r.key().selector(),
            r.key().recordName() + ".");
      } else if (t instanceof Transition.DnsLate late) {
        log.warn(
            "dns late domain={} selector={} created={}: DNS does not show its record; the old key"
                + " keeps signing. ACTION: publish TXT {} {}",
            domain,
            late.key().selector(),
            late.key().created(),
            late.key().recordName() + ".",
            TxtRecord.split(late.key().record().render()).zoneText());
      }
      done.add(t);
    }
    return done;
  }

  private DkimKey generate(String domain, Transition.Publish p, RotationPolicy policy)
      throws KeyStoreException {
    Set<String> taken = new HashSet<>();
    store.list(domain).forEach(k -> taken.add(k.selector().value()));
    Selector selector =
        selectors.render(
            LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC), p.algorithm(), taken);
    KeyPair pair = generator.generate(p.algorithm(), policy.rsaBits());
    return store.add(domain, selector, pair.getPrivate(), KeyState.PENDING);
  }
}
