// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mailseal.keys.KeyState;

/**
 * What the dashboard shows and the actions it offers, implemented by the relay with the operations
 * the command line uses too ({@code keys list}, {@code dns records}, {@code dns check}, {@code spf
 * check}, {@code dmarc report}, {@code queue list|retry|bounce}). Reads must be cheap (the overview
 * is served on every page view): they return what the relay knows now, and only {@link
 * #checkDns(String)} asks DNS. Implementations are thread-safe; pages are rendered concurrently.
 */
public interface Dashboard {

  /** Every configured domain, in a stable order. */
  List<Domain> domains() throws DashboardException;

  /** The queue: its depth and oldest message, at most {@code max} messages, failing upstreams. */
  Queue queue(int max) throws DashboardException;

  /**
   * Runs {@code dns check} (and the SPF and DMARC checks) for {@code domain} now; the next {@link
   * #domains()} shows the result.
   *
   * @throws DashboardException when there is no such domain
   */
  List<Dns> checkDns(String domain) throws DashboardException;

  /** Makes a queued message due now, as {@code queue retry ID}. */
  ActionResult retry(String queueId) throws DashboardException;

  /**
   * Fails every pending recipient of a queued message and sends the DSN, as {@code queue bounce}.
   */
  ActionResult bounce(String queueId) throws DashboardException;

  /**
   * One signing domain.
   *
   * @param nextGenerationAt when rotation next makes a key, or null when no schedule is set
   * @param records the records the domain should publish, with what the last check found
   * @param checkedAt when DNS was last checked, or null when it was not checked yet
   */
  record Domain(
      String name,
      List<Key> keys,
      Instant nextGenerationAt,
      List<Dns> records,
      Instant checkedAt,
      RecordFormats formats,
      Spf spf,
      Dmarc dmarc) {
    public Domain {
      Objects.requireNonNull(name, "name");
      keys = List.copyOf(keys);
      records = List.copyOf(records);
      Objects.requireNonNull(formats, "formats");
      Objects.requireNonNull(spf, "spf");
      Objects.requireNonNull(dmarc, "dmarc");
    }

    public Optional<Instant> nextGeneration() {
      return Optional.ofNullable(nextGenerationAt);
    }

    public Optional<Instant> checked() {
      return Optional.ofNullable(checkedAt);
    }
  }

  /**
   * One DKIM key, as {@code keys list} shows it. The instants of states not reached are null.
   *
   * @param algorithm the {@code k=} tag: {@code rsa} or {@code ed25519}
   * @param earliestActivationAt for a PENDING key: the first instant it may sign (created plus the
   *     pre-publication time), if DNS shows it by then; otherwise null
   * @param graceEndsAt for a RETIRED key: when it is revoked; otherwise null
   * @param recordName the DNS name of its record ({@code selector._domainkey.domain})
   * @param record the TXT value to publish
   */
  record Key(
      String selector,
      String algorithm,
      int bits,
      KeyState state,
      Instant created,
      Instant activatedAt,
      Instant retiredAt,
      Instant revokedAt,
      Instant earliestActivationAt,
      Instant graceEndsAt,
      String recordName,
      String record) {
    public Key {
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(created, "created");
      Objects.requireNonNull(recordName, "recordName");
      Objects.requireNonNull(record, "record");
    }

    public Optional<Instant> activated() {
      return Optional.ofNullable(activatedAt);
    }

    public Optional<Instant> retired() {
      return Optional.ofNullable(retiredAt);
    }

    public Optional<Instant> revoked() {
      return Optional.ofNullable(revokedAt);
    }

    public Optional<Instant> earliestActivation() {
      return Optional.ofNullable(earliestActivationAt);
    }

    public Optional<Instant> graceEnds() {
      return Optional.ofNullable(graceEndsAt);
    }
  }

  /** What the last check found for one record. */
  enum DnsState {
    OK,
    MISSING,
    DIFFERENT,
    ERROR,
    /** Not checked since the relay started. */
    UNCHECKED
  }

  /**
   * One record to publish and its state.
   *
   * @param type {@code TXT}
   * @param detail what was found instead, or why the check failed; empty when ok
   */
  record Dns(
      String name, String type, String value, String comment, DnsState state, String detail) {
    public Dns {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(comment, "comment");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** The domain's records in the three formats of {@code dns records}. */
  record RecordFormats(String bind, String table, String json) {
    public RecordFormats {
      Objects.requireNonNull(bind, "bind");
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(json, "json");
    }
  }

  /**
   * The SPF record as {@code spf check} found it.
   *
   * @param checked false until DNS was asked
   * @param record the published record, empty when there is none
   * @param lookups DNS-querying terms used, of the 10 RFC 7208 §4.6.4 allows
   * @param problems what makes receivers return permerror
   */
  record Spf(boolean checked, String record, int lookups, List<String> problems) {
    public static final int MAX_LOOKUPS = 10;

    public Spf {
      Objects.requireNonNull(record, "record");
      problems = List.copyOf(problems);
    }

    /** SPF not checked yet. */
    public static Spf unchecked() {
      return new Spf(false, "", 0, List.of());
    }
  }

  /**
   * Where the domain is on the DMARC ramp ({@code p=none} to {@code p=reject}) and what the reports
   * say about the next step, as {@code dmarc report} prints.
   *
   * @param step the published policy step, such as {@code p=none}; empty when none is published
   * @param verdict the verdict for the next step, in words
   * @param readyForNext whether the reports say the next step is safe
   * @param days aligned and unaligned volume per day, oldest first; empty when no report was read
   * @param sources the sending sources the reports name, largest first
   */
  record Dmarc(
      String step,
      String verdict,
      boolean readyForNext,
      List<DmarcDay> days,
      List<DmarcSource> sources) {
    public Dmarc {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(verdict, "verdict");
      days = List.copyOf(days);
      sources = List.copyOf(sources);
    }

    public boolean reportsRead() {
      return !days.isEmpty() || !sources.isEmpty();
    }
  }

  /** Messages that passed DMARC aligned, and those that did not, on one day (UTC). */
  record DmarcDay(LocalDate day, long aligned, long unaligned) {
    public DmarcDay {
      Objects.requireNonNull(day, "day");
      if (aligned < 0 || unaligned < 0) {
        throw new IllegalArgumentException("DmarcDay: counts must be >= 0");
      }
    }
  }

  /**
   * One sending source in the reports.
   *
   * @param source the sending IP address
   * @param name what the source was classified as (this relay, a known provider, unknown)
   */
  record DmarcSource(String source, String name, long messages, long aligned, String verdict) {
    public DmarcSource {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(verdict, "verdict");
    }
  }

  /**
   * The queue.
   *
   * @param depth messages waiting (may exceed {@code messages}, which is capped)
   * @param oldestAcceptedAt when the oldest waiting message was accepted, or null when empty
   * @param failing upstreams (next hops) whose last attempt failed
   */
  record Queue(
      int depth, Instant oldestAcceptedAt, List<Message> messages, List<Upstream> failing) {
    public Queue {
      messages = List.copyOf(messages);
      failing = List.copyOf(failing);
    }

    public Optional<Instant> oldestAccepted() {
      return Optional.ofNullable(oldestAcceptedAt);
    }
  }

  /**
   * One queued message.
   *
   * @param sender the envelope sender, empty for a DSN
   * @param bounceRequested an operator's bounce is waiting for the delivery worker
   */
  record Message(
      String id,
      String sender,
      List<Recipient> recipients,
      int attempts,
      Instant accepted,
      Instant nextAttempt,
      boolean bounceRequested) {
    public Message {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(sender, "sender");
      recipients = List.copyOf(recipients);
      Objects.requireNonNull(accepted, "accepted");
      Objects.requireNonNull(nextAttempt, "nextAttempt");
    }
  }

  /**
   * One recipient of a queued message.
   *
   * @param state {@code PENDING}, {@code DELIVERED} or {@code FAILED}
   * @param lastReply the remote server's last reply, as received (untrusted text); empty before the
   *     first attempt
   */
  record Recipient(String address, String state, String lastReply) {
    public Recipient {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(lastReply, "lastReply");
    }
  }

  /**
   * A next hop whose last attempt failed.
   *
   * @param name the smarthost, or the recipient domain for direct delivery
   * @param recipients recipients waiting for it
   */
  record Upstream(String name, int recipients, String lastReply) {
    public Upstream {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(lastReply, "lastReply");
    }
  }

  /** What an action did, in one line for the operator. */
  record ActionResult(boolean done, String message) {
    public ActionResult {
      Objects.requireNonNull(message, "message");
    }
  }
}
