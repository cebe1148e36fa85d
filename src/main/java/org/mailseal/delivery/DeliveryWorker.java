// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Recipient;
import org.mailseal.spool.RecipientState;
import org.mailseal.spool.RetryDecision;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves due messages from the spool through a transport: each pending recipient is delivered,
 * deferred (and retried on the schedule) or failed; a message leaves the spool once no recipient is
 * pending, and a message older than the schedule's maximum age fails its remaining recipients.
 * Recipients that already got the message are never sent it again.
 *
 * <p>The recipients that fail in one attempt get one DSN to the sender ({@link Bouncer}), stored
 * before the attempt is recorded: a crash between the two may send that DSN twice, never lose it.
 * If the DSN cannot be stored, those recipients stay pending (so the next attempt reports them)
 * unless the message has expired. A sender whose message is still pending past the delay-warning
 * age is warned once; the envelope remembers it. An entry an operator marked with {@code queue
 * bounce} fails all its pending recipients, without a delivery attempt.
 *
 * <p>Thread-safe: several threads may call {@link #runOnce(int)} on one worker; a message is
 * attempted by one of them at a time.
 */
public final class DeliveryWorker {
  private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
  private static final Logger maillog = LoggerFactory.getLogger("maillog");

  private final Spool spool;
  private final Transport transport;
  private final RetrySchedule retry;
  private final Clock clock;
  private final Bouncer bouncer;
  private final Set<QueueId> inFlight = ConcurrentHashMap.newKeySet();
  private final java.util.Queue<QueueId> released =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final QueueBounce bounces;

  private final org.mailseal.metrics.RelayMetrics metrics;

  public DeliveryWorker(
      Spool spool, Transport transport, RetrySchedule retry, Clock clock, Bouncer bouncer) {
    this(spool, transport, retry, clock, bouncer, org.mailseal.metrics.RelayMetrics.none());
  }

  /** As above, counting each recipient delivered, deferred and bounced in {@code metrics}. */
  public DeliveryWorker(
      Spool spool,
      Transport transport,
      RetrySchedule retry,
      Clock clock,
      Bouncer bouncer,
      org.mailseal.metrics.RelayMetrics metrics) {
    this.spool = spool;
    this.transport = transport;
    this.retry = retry;
    this.clock = clock;
    this.bouncer = bouncer;
    this.metrics = metrics;
    this.bounces = new QueueBounce(spool, bouncer, metrics);
  }

  /**
   * Makes {@code ids} due at once, whatever their retry time: the upstream they waited for is back
   * ({@link Upstreams#whenRecovered}). The next {@link #runOnce(int)} calls take them first; wake
   * the delivery threads after calling this.
   */
  public void release(java.util.Collection<QueueId> ids) {
    released.addAll(ids);
  }

  /**
   * One pass over at most {@code max} messages, released ones first, then due ones; returns how
   * many were attempted.
   */
  public int runOnce(int max) throws SpoolException {
    Instant now = clock.instant();
    int attempted = 0;
    QueueId next;
    while (attempted < max && (next = released.poll()) != null) {
      if (!inFlight.add(next)) {
        continue; // another thread has it
      }
      try {
        Optional<SpoolEntry> found = spool.entry(next);
        if (found.isPresent()) {
          attempt(found.get(), now);
          attempted++;
        }
      } finally {
        inFlight.remove(next);
      }
    }
    for (QueueId id : spool.due(now, Math.max(0, max - attempted))) {
      if (!inFlight.add(id)) {
        continue; // another thread has it
      }
      try {
        Optional<SpoolEntry> found = spool.entry(id);
        // Removed meanwhile (queue delete), or attempted by another thread since due() ran.
        if (found.isEmpty() || found.get().nextAttempt().isAfter(now)) {
          continue;
        }
        attempt(found.get(), now);
        attempted++;
      } finally {
        inFlight.remove(id);
      }
    }
    return attempted;
  }

  private void attempt(SpoolEntry entry, Instant now) throws SpoolException {
    if (entry.bounceRequested()) {
      bounces.bounce(entry, now);
      return;
    }
    List<String> pending = new ArrayList<>();
    for (Recipient r : entry.pending()) {
      pending.add(r.address());
    }
    if (pending.isEmpty()) {
      spool.remove(entry.id()); // a crash came between the last attempt and its removal
      return;
    }
    Map<String, DeliveryOutcome> outcomes =
        transport.deliver(entry, pending, bounces.source(entry));
    RetryDecision decision = retry.next(entry.attempts() + 1, entry.accepted(), now);
    boolean expired = decision.retryAt().isEmpty();
    List<Recipient> updated = new ArrayList<>();
    List<Recipient> failed = new ArrayList<>();
    for (Recipient r : entry.pending()) {
      DeliveryOutcome o =
          outcomes.getOrDefault(
              r.address(), new DeliveryOutcome.Deferred("no answer for this recipient"));
      if (o instanceof DeliveryOutcome.Delivered) {
        updated.add(r.delivered(o.reply()));
        metrics.delivered();
        maillog.info(
            "delivered id={} to=<{}> reply=\"{}\"", entry.id().value(), r.address(), o.reply());
      } else if (o instanceof DeliveryOutcome.Bounced || expired) {
        String why = o instanceof DeliveryOutcome.Bounced ? o.reply() : "expired: " + o.reply();
        failed.add(r.failed(why));
      } else {
        updated.add(r.deferred(o.reply()));
        metrics.deferred();
        maillog.info(
            "deferred id={} to=<{}> reply=\"{}\"", entry.id().value(), r.address(), o.reply());
      }
    }
    if (!failed.isEmpty()) {
      if (bounces.report(entry, failed) || expired) {
        failed.forEach(r -> bounces.bounced(entry, r));
        updated.addAll(failed);
      } else {
        // The DSN could not be stored: keep them pending, so that the next attempt reports them.
        failed.forEach(r -> updated.add(r.deferred(r.lastReply())));
      }
    }
    boolean stillPending = updated.stream().anyMatch(r -> r.state() == RecipientState.PENDING);
    if (!stillPending) {
      // Nothing left to try: removing is the record. Rewriting the envelope first would cost a
      // file, an fsync and a directory sync per message and close no window: a crash before the
      // removal is durable redelivers, as one before the rewrite would, and a DSN already
      // stored is not sent twice once the removal is durable.
      spool.remove(entry.id());
      return;
    }
    SpoolEntry after = spool.recordAttempt(entry.id(), updated, decision.retryAt().orElse(now));
    if (after.bounceRequested()) {
      // queue bounce arrived during the attempt: do it now rather than at the next retry.
      bounces.bounce(after, now);
      return;
    }
    if (!after.delayWarned() && retry.isDelayed(after.accepted(), now)) {
      warnDelayed(after);
    }
  }

  private void warnDelayed(SpoolEntry entry) throws SpoolException {
    try {
      bouncer.delayed(
          entry, entry.pending(), entry.accepted().plus(retry.maxAge()), bounces.source(entry));
      spool.markDelayWarned(entry.id());
    } catch (LocalSubmission.Refused e) {
      log.warn(
          "delay warning not stored, next attempt tries again queueId={} reason=\"{}\"",
          entry.id(),
          e.getMessage());
    }
  }
}
