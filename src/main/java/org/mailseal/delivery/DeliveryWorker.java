// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * <p>Not yet built: the DSN to the sender for failed recipients (the delivery issue continues).
 */
public final class DeliveryWorker {
  private static final Logger maillog = LoggerFactory.getLogger("maillog");

  private final Spool spool;
  private final Transport transport;
  private final RetrySchedule retry;
  private final Clock clock;

  public DeliveryWorker(Spool spool, Transport transport, RetrySchedule retry, Clock clock) {
    this.spool = spool;
    this.transport = transport;
    this.retry = retry;
    this.clock = clock;
  }

  /** One pass over at most {@code max} due messages; returns how many were attempted. */
  public int runOnce(int max) throws SpoolException {
    Instant now = clock.instant();
    int attempted = 0;
    for (QueueId id : spool.due(now, max)) {
      Optional<SpoolEntry> found = spool.entry(id);
      if (found.isEmpty()) {
        continue; // removed meanwhile (queue delete)
      }
      attempt(found.get(), now);
      attempted++;
    }
    return attempted;
  }

  private void attempt(SpoolEntry entry, Instant now) throws SpoolException {
    List<String> pending = new ArrayList<>();
    for (Recipient r : entry.recipients()) {
      if (r.state() == RecipientState.PENDING) {
        pending.add(r.address());
      }
    }
    Map<String, DeliveryOutcome> outcomes =
        transport.deliver(
            entry,
            pending,
            () -> {
              try {
                return spool.open(entry.id());
              } catch (SpoolException e) {
                throw new IOException("spool entry " + entry.id().value() + " unreadable", e);
              }
            });
    RetryDecision decision = retry.next(entry.attempts() + 1, entry.accepted(), now);
    boolean expired = decision.retryAt().isEmpty();
    List<Recipient> updated = new ArrayList<>();
    boolean stillPending = false;
    for (Recipient r : entry.recipients()) {
      if (r.state() != RecipientState.PENDING) {
        continue;
      }
      DeliveryOutcome o =
          outcomes.getOrDefault(
              r.address(), new DeliveryOutcome.Deferred("no answer for this recipient"));
      Recipient next;
      if (o instanceof DeliveryOutcome.Delivered) {
        next = r.delivered(o.reply());
        maillog.info(
            "delivered id={} to=<{}> reply=\"{}\"", entry.id().value(), r.address(), o.reply());
      } else if (o instanceof DeliveryOutcome.Bounced || expired) {
        String why = o instanceof DeliveryOutcome.Bounced ? o.reply() : "expired: " + o.reply();
        next = r.failed(why);
        maillog.info("bounced id={} to=<{}> reply=\"{}\"", entry.id().value(), r.address(), why);
      } else {
        next = r.deferred(o.reply());
        stillPending = true;
        maillog.info(
            "deferred id={} to=<{}> reply=\"{}\"", entry.id().value(), r.address(), o.reply());
      }
      updated.add(next);
    }
    if (stillPending) {
      spool.recordAttempt(entry.id(), updated, decision.retryAt().orElse(now));
    } else {
      spool.recordAttempt(entry.id(), updated, now);
      spool.remove(entry.id());
    }
  }
}
