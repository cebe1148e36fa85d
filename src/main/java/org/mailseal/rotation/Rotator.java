// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.mailseal.keys.KeyStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the scheduler's jobs run: the {@link Reconciler} over the configured domains, one at a time,
 * then the {@link Listener} (export of the desired records, the publish hook, the DNS-late alert,
 * refreshing the signing keys). Every call runs under one lock, so a schedule firing and the
 * periodic reconcile never both see "no PENDING key" and generate twice in this process.
 */
public final class Rotator {
  private static final Logger log = LoggerFactory.getLogger(Rotator.class);

  /**
   * Told after every reconcile of a domain with all it did (possibly nothing); a {@link
   * Transition.DnsLate} missing from {@code done} means DNS is no longer late for that key.
   */
  @FunctionalInterface
  public interface Listener {
    void reconciled(String domain, List<Transition> done) throws KeyStoreException;
  }

  private final Reconciler reconciler;
  private final Map<String, RotationPolicy> policies;
  private final Listener listener;
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * @param policies the rotation policy of each configured domain, in the order they reconcile
   */
  public Rotator(Reconciler reconciler, Map<String, RotationPolicy> policies, Listener listener) {
    this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
    this.policies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(policies));
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** The configured domains. */
  public Set<String> domains() {
    return policies.keySet();
  }

  /** The rotation policy of each configured domain. */
  public Map<String, RotationPolicy> policies() {
    return policies;
  }

  /** Reconciles {@code domain} (a configured one), then tells the listener. */
  public List<Transition> reconcile(String domain) throws KeyStoreException {
    RotationPolicy policy = policy(domain);
    lock.lock();
    try {
      List<Transition> done = reconciler.reconcile(domain, policy);
      listener.reconciled(domain, done);
      return done;
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@code domain}'s schedule fired for {@code scheduledAt}: generates the keys that firing is due
   * (none when one is PENDING or was made for it already), reconciles the domain, then tells the
   * listener.
   */
  public List<Transition> generate(String domain, Instant scheduledAt) throws KeyStoreException {
    RotationPolicy policy = policy(domain);
    lock.lock();
    try {
      List<Transition> done =
          new ArrayList<>(reconciler.generateScheduled(domain, policy, scheduledAt));
      // Then the full reconcile, so the listener always sees a complete view (DNS-late included).
      done.addAll(reconciler.reconcile(domain, policy));
      listener.reconciled(domain, List.copyOf(done));
      return List.copyOf(done);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Reconciles every configured domain; a domain that fails is logged and does not stop the others.
   *
   * @return whether every domain reconciled
   */
  public boolean reconcileAll() {
    boolean ok = true;
    for (String domain : policies.keySet()) {
      try {
        reconcile(domain);
      } catch (KeyStoreException | RuntimeException e) {
        ok = false;
        log.error("reconcile failed domain={} error=\"{}\"", domain, e.getMessage(), e);
      }
    }
    return ok;
  }

  private RotationPolicy policy(String domain) {
    RotationPolicy policy = policies.get(domain);
    if (policy == null) {
      throw new IllegalArgumentException("not a configured domain: " + domain);
    }
    return policy;
  }
}
