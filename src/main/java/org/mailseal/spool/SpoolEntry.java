// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The envelope of one spooled message and how its delivery stands: what the spool keeps in memory
 * per message and writes after the message bytes, and into {@code <id>.env} when delivery rewrites
 * it. The message bytes are never held here; read them with {@link Spool#open(QueueId)}.
 *
 * @param id the queue id
 * @param sender the {@code MAIL FROM} address, empty for {@code <>}
 * @param recipients each recipient with its own state, in {@code RCPT TO} order
 * @param authUser the authenticated submitter, empty for bounces
 * @param bounce whether the message is itself a bounce (never bounce a bounce)
 * @param accepted when the spool first accepted the message; retries and expiry count from here
 * @param attempts how many delivery attempts were recorded
 * @param nextAttempt when the message is next due for delivery
 * @param size the size of the message in bytes (what delivery sends; the message file holds the
 *     envelope after them)
 * @param delayWarned whether the sender was already sent a delay warning (RFC 3464 "delayed"), so
 *     that a restart does not send it again
 * @param bounceRequested whether an operator asked ({@code queue bounce}) that every pending
 *     recipient fail now and the sender get the DSN; the delivery worker does it on its next pass
 */
public record SpoolEntry(
    QueueId id,
    String sender,
    List<Recipient> recipients,
    String authUser,
    boolean bounce,
    Instant accepted,
    int attempts,
    Instant nextAttempt,
    long size,
    boolean delayWarned,
    boolean bounceRequested) {
  public SpoolEntry {
    if (id == null || sender == null || authUser == null) {
      throw new IllegalArgumentException("SpoolEntry: id, sender and authUser must not be null");
    }
    if (accepted == null || nextAttempt == null) {
      throw new IllegalArgumentException("SpoolEntry: accepted and nextAttempt must not be null");
    }
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("SpoolEntry: recipients must not be empty");
    }
    Set<String> seen = new HashSet<>();
    for (Recipient r : recipients) {
      if (!seen.add(r.address())) {
        throw new IllegalArgumentException("SpoolEntry: duplicate recipient " + r.address());
      }
    }
    if (attempts < 0) {
      throw new IllegalArgumentException("SpoolEntry: attempts must be >= 0");
    }
    if (size < 0) {
      throw new IllegalArgumentException("SpoolEntry: size must be >= 0");
    }
    if (bounce && !sender.isEmpty()) {
      throw new IllegalArgumentException("SpoolEntry: a bounce must have the null sender <>");
    }
  }

  /** An entry with no delay warning sent and no bounce requested. */
  public SpoolEntry(
      QueueId id,
      String sender,
      List<Recipient> recipients,
      String authUser,
      boolean bounce,
      Instant accepted,
      int attempts,
      Instant nextAttempt,
      long size) {
    this(
        id,
        sender,
        recipients,
        authUser,
        bounce,
        accepted,
        attempts,
        nextAttempt,
        size,
        false,
        false);
  }

  /** A message just accepted at {@code now}: every recipient pending, due at once. */
  static SpoolEntry accepted(QueueId id, EnvelopeDraft draft, Instant now, long size) {
    List<Recipient> rcpts = new ArrayList<>();
    for (String address : draft.recipients()) {
      rcpts.add(Recipient.pending(address));
    }
    return new SpoolEntry(
        id, draft.sender(), rcpts, draft.authUser(), draft.bounce(), now, 0, now, size);
  }

  /** The recipients still waiting for delivery. */
  public List<Recipient> pending() {
    return recipients.stream().filter(r -> r.state() == RecipientState.PENDING).toList();
  }

  /** Whether no recipient is pending any more, so the entry may be removed. */
  public boolean isFinished() {
    return pending().isEmpty();
  }

  /**
   * This entry after one delivery attempt: each outcome replaces the recipient of the same address,
   * attempts grows by one, and the next attempt is set.
   *
   * @throws IllegalArgumentException when an outcome names an address that is not a recipient, or
   *     would move a recipient out of a final state
   */
  SpoolEntry afterAttempt(List<Recipient> outcomes, Instant next) {
    Map<String, Recipient> byAddress = new HashMap<>();
    for (Recipient o : outcomes) {
      byAddress.put(o.address(), o);
    }
    List<Recipient> updated = new ArrayList<>(recipients.size());
    for (Recipient r : recipients) {
      Recipient o = byAddress.remove(r.address());
      if (o == null || o.equals(r)) {
        updated.add(r);
        continue;
      }
      if (r.state().isFinal()) {
        throw new IllegalArgumentException(
            "SpoolEntry " + id + ": recipient " + r.address() + " is already " + r.state());
      }
      updated.add(o);
    }
    if (!byAddress.isEmpty()) {
      throw new IllegalArgumentException(
          "SpoolEntry " + id + ": not a recipient: " + byAddress.keySet());
    }
    return new SpoolEntry(
        id,
        sender,
        updated,
        authUser,
        bounce,
        accepted,
        attempts + 1,
        next,
        size,
        delayWarned,
        bounceRequested);
  }

  /** This entry due again at {@code next}, nothing else changed. */
  SpoolEntry rescheduled(Instant next) {
    return new SpoolEntry(
        id,
        sender,
        recipients,
        authUser,
        bounce,
        accepted,
        attempts,
        next,
        size,
        delayWarned,
        bounceRequested);
  }

  /** This entry with its delay warning recorded as sent. */
  SpoolEntry withDelayWarned() {
    return new SpoolEntry(
        id,
        sender,
        recipients,
        authUser,
        bounce,
        accepted,
        attempts,
        nextAttempt,
        size,
        true,
        bounceRequested);
  }

  /** This entry marked for an operator's bounce, due at {@code next}. */
  SpoolEntry withBounceRequested(Instant next) {
    return new SpoolEntry(
        id,
        sender,
        recipients,
        authUser,
        bounce,
        accepted,
        attempts,
        next,
        size,
        delayWarned,
        true);
  }
}
