// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyState;

/**
 * The reconcile, as a pure function of (a domain's keys, the time, what DNS shows): the transitions
 * to make now. Calling it again after applying them, or at any later time, never repeats or skips a
 * step, so a missed or doubled Quartz firing changes nothing.
 *
 * <p>Per algorithm:
 *
 * <ul>
 *   <li>No PENDING or ACTIVE key: generate one (first start, or after a compromise).
 *   <li>The schedule fired since the newest key was made and no key is PENDING: generate one (a
 *       firing missed while the process was down happens at the next reconcile, once).
 *   <li>A PENDING key becomes ACTIVE when its prepublish time has passed <em>and</em> DNS shows its
 *       exact record; the store retires the key it replaces in the same write. When the algorithm
 *       has no ACTIVE key but had one (it was revoked), a published successor does not wait for the
 *       prepublish time. Past the DNS deadline without its record, the old key keeps signing and
 *       every reconcile raises {@link Transition.DnsLate}.
 *   <li>A RETIRED key is revoked when its grace period is over.
 * </ul>
 */
public final class RotationPlanner {
  private RotationPlanner() {}

  /**
   * @param published whether DNS shows a key's exact record now (asked only of PENDING keys)
   */
  public static List<Transition> plan(
      String domain,
      List<DkimKey> keys,
      Instant now,
      RotationPolicy policy,
      Predicate<DkimKey> published) {
    List<Transition> out = new ArrayList<>();
    for (KeyAlgorithm algorithm : policy.algorithms()) {
      List<DkimKey> mine = keys.stream().filter(k -> k.algorithm() == algorithm).toList();
      Optional<DkimKey> active = newest(mine, KeyState.ACTIVE);
      Optional<DkimKey> pending = newest(mine, KeyState.PENDING);
      boolean everActive = mine.stream().anyMatch(k -> k.activated().isPresent());

      if (pending.isEmpty() && active.isEmpty()) {
        out.add(
            new Transition.Publish(
                domain, algorithm, everActive ? "no ACTIVE key left" : "first key"));
      } else if (pending.isEmpty()) {
        Instant newestCreated =
            mine.stream().map(DkimKey::created).max(Comparator.naturalOrder()).orElseThrow();
        Optional<Instant> due = policy.nextGeneration(newestCreated);
        if (due.isPresent() && !due.get().isAfter(now)) {
          out.add(new Transition.Publish(domain, algorithm, "scheduled " + due.get()));
        }
      }

      if (pending.isPresent()) {
        DkimKey p = pending.get();
        boolean emergency = active.isEmpty() && everActive;
        boolean waited = !now.isBefore(p.created().plus(policy.prepublish()));
        boolean shown = published.test(p);
        if (shown && (waited || emergency)) {
          out.add(new Transition.Activate(domain, p));
        } else if (!shown && !now.isBefore(p.created().plus(policy.dnsDeadline()))) {
          out.add(new Transition.DnsLate(domain, p));
        }
      }

      for (DkimKey k : mine) {
        if (k.state() == KeyState.RETIRED
            && k.retired().map(r -> !now.isBefore(r.plus(policy.grace()))).orElse(false)) {
          out.add(new Transition.Revoke(domain, k));
        }
      }
    }
    return out;
  }

  private static Optional<DkimKey> newest(List<DkimKey> keys, KeyState state) {
    return keys.stream()
        .filter(k -> k.state() == state)
        .max(Comparator.comparing(DkimKey::created).thenComparing(k -> k.selector().value()));
  }
}
