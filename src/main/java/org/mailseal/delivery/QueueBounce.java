// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.spool.Recipient;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failing recipients and telling the sender: the DSN of an attempt's failures, and the operator's
 * {@code queue bounce}, which fails every pending recipient without an attempt. The running relay's
 * {@link DeliveryWorker} uses it, and so does {@code queue bounce} when no server holds the spool;
 * neither needs a transport for it.
 */
public final class QueueBounce {
  private static final Logger log = LoggerFactory.getLogger(QueueBounce.class);
  private static final Logger maillog = LoggerFactory.getLogger("maillog");
  static final String OPERATOR_BOUNCE = "bounced by the operator (queue bounce)";

  private final Spool spool;
  private final Bouncer bouncer;
  private final RelayMetrics metrics;

  public QueueBounce(Spool spool, Bouncer bouncer, RelayMetrics metrics) {
    this.spool = spool;
    this.bouncer = bouncer;
    this.metrics = metrics;
  }

  /**
   * Fails every pending recipient of {@code entry}, reports them to the sender and removes the
   * entry; when the DSN cannot be stored, the entry stays and is tried again a minute later.
   *
   * @return whether the entry was removed
   */
  public boolean bounce(SpoolEntry entry, Instant now) throws SpoolException {
    List<Recipient> failed = new ArrayList<>();
    for (Recipient r : entry.pending()) {
      failed.add(
          r.failed(
              OPERATOR_BOUNCE + (r.lastReply().isEmpty() ? "" : "; last reply: " + r.lastReply())));
    }
    if (!report(entry, failed)) {
      // Try again in a minute rather than on every pass.
      spool.reschedule(entry.id(), now.plusSeconds(60));
      return false;
    }
    failed.forEach(r -> bounced(entry, r));
    spool.recordAttempt(entry.id(), failed, now);
    spool.remove(entry.id());
    return true;
  }

  /** Sends the failed-recipients DSN; false when it could not be stored. */
  boolean report(SpoolEntry entry, List<Recipient> failed) {
    try {
      bouncer.failed(entry, failed, source(entry));
      return true;
    } catch (LocalSubmission.Refused e) {
      log.error("dsn not stored queueId={} reason=\"{}\"", entry.id(), e.getMessage());
      return false;
    }
  }

  /** Logs and counts one recipient that failed for good. */
  void bounced(SpoolEntry entry, Recipient r) {
    maillog.info(
        "bounced id={} to=<{}> reply=\"{}\"", entry.id().value(), r.address(), r.lastReply());
    metrics.bounced();
  }

  /** The stored message of {@code entry}, opened when a transport or DSN reads it. */
  Transport.MessageSource source(SpoolEntry entry) {
    return () -> {
      try {
        return spool.open(entry.id());
      } catch (SpoolException e) {
        throw new IOException("spool entry " + entry.id().value() + " unreadable", e);
      }
    };
  }
}
