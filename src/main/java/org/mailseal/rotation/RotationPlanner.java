// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 *       firing missed while the process was down happens at the next reconcile, once). A key made
 *       in the second before a scheduled time counts for it; {@link #scheduled} applies the same
 *       rule to one Quartz firing, so a firing, its misfire and this catch-up make one key.
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
        Optional<Instant> due = policy.nextGeneration(coveredUntil(mine));
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

  /**
   * The transitions of one scheduled firing at {@code scheduledAt}: per algorithm, generate a key
   * unless one is PENDING or a key was made for this firing already (by the reconcile's catch-up, a
   * doubled firing, or an operator). So a firing, its misfire after a restart and the catch-up in
   * {@link #plan} generate one key between them.
   */
  public static List<Transition> scheduled(
      String domain, List<DkimKey> keys, Instant scheduledAt, RotationPolicy policy) {
    List<Transition> out = new ArrayList<>();
    for (KeyAlgorithm algorithm : policy.algorithms()) {
      List<DkimKey> mine = keys.stream().filter(k -> k.algorithm() == algorithm).toList();
      if (newest(mine, KeyState.PENDING).isPresent()) {
        continue;
      }
      if (mine.isEmpty() || coveredUntil(mine).isBefore(scheduledAt)) {
        out.add(new Transition.Publish(domain, algorithm, "scheduled " + scheduledAt));
      }
    }
    return out;
  }

  /**
   * The creation time of the newest key, rounded up to the whole second: cron times are whole
   * seconds and Quartz may fire a few milliseconds early, so a key made in the second before a
   * scheduled time counts for that time.
   */
  private static Instant coveredUntil(List<DkimKey> keys) {
    Instant newest =
        keys.stream().map(DkimKey::created).max(Comparator.naturalOrder()).orElseThrow();
    Instant second = newest.truncatedTo(ChronoUnit.SECONDS);
    return second.equals(newest) ? newest : second.plusSeconds(1);
  }

  private static Optional<DkimKey> newest(List<DkimKey> keys, KeyState state) {
    return keys.stream()
        .filter(k -> k.state() == state)
        .max(Comparator.comparing(DkimKey::created).thenComparing(k -> k.selector().value()));
  }
}
