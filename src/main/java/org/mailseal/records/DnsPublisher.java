// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.mailseal.config.MailsealConfig;
import org.mailseal.config.MailsealConfig.PublishedRecord;
import org.mailseal.dns.TxtRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Update;

/**
 * Writes the records each domain should publish (as {@code dns records} computes them) to its
 * {@code rotation.publish} server, and remembers what the server confirmed, so a later call sends
 * only what changed: a DKIM selector's whole TXT RRset is replaced, a revoked key's name deleted,
 * and a name mailseal wrote before but no longer wants is deleted too. SPF and DMARC are written
 * only for the kinds the domain opted into ({@code publish-records}); then only the existing {@code
 * v=spf1} (or {@code v=DMARC1}) record is swapped, other TXT records at the name stay.
 *
 * <p>A failure is logged with the server's answer in words, told to the {@link FailureListener}
 * (the metric) and retried at a later call once its backoff (1 minute, doubling, at most 1 hour) is
 * over. Nothing here blocks signing: the DNS check still gates activation. Thread-safe.
 */
public final class DnsPublisher {
  private static final Logger log = LoggerFactory.getLogger(DnsPublisher.class);

  /** The first wait after a failure; it doubles with each failure in a row. */
  public static final Duration FIRST_BACKOFF = Duration.ofMinutes(1);

  /** The longest wait between two attempts. */
  public static final Duration MAX_BACKOFF = Duration.ofHours(1);

  /** Where one domain's records are written, and which of them. */
  public record Target(Rfc2136Updater updater, Name zone, Set<PublishedRecord> kinds) {
    public Target {
      Objects.requireNonNull(updater, "updater");
      Objects.requireNonNull(zone, "zone");
      kinds = Set.copyOf(kinds);
    }
  }

  /** Told of every failed update, with the failure's {@link DnsUpdateException#code()}. */
  @FunctionalInterface
  public interface FailureListener {
    void failed(String domain, String code);
  }

  /** What one call did. */
  public sealed interface Outcome permits NotPublished, Unchanged, Updated, Failed, Waiting {
    /** Whether the server holds every record it should (nothing waits to be written). */
    boolean accepted();

    /** One line for operators. */
    String describe();
  }

  /** The domain has no {@code rotation.publish}: nothing is written. */
  public record NotPublished(String domain) implements Outcome {
    @Override
    public boolean accepted() {
      return true;
    }

    @Override
    public String describe() {
      return domain + ": not published by mailseal (no rotation.publish)";
    }
  }

  /** The server already confirmed every record: nothing was sent. */
  public record Unchanged(String domain) implements Outcome {
    @Override
    public boolean accepted() {
      return true;
    }

    @Override
    public String describe() {
      return domain + ": up to date";
    }
  }

  /** The server accepted {@code changes}. */
  public record Updated(String domain, String server, List<TxtChange> changes) implements Outcome {
    public Updated {
      changes = List.copyOf(changes);
    }

    @Override
    public boolean accepted() {
      return true;
    }

    @Override
    public String describe() {
      return domain + ": " + server + " accepted " + changes.size() + " change(s)";
    }
  }

  /** The update failed; the next attempt is at {@code retryAt} or later. */
  public record Failed(String domain, DnsUpdateException error, Instant retryAt)
      implements Outcome {
    @Override
    public boolean accepted() {
      return false;
    }

    @Override
    public String describe() {
      return domain + ": " + error.getMessage();
    }
  }

  /** An earlier failure's backoff is not over: nothing was sent. */
  public record Waiting(String domain, String lastCode, Instant retryAt) implements Outcome {
    @Override
    public boolean accepted() {
      return false;
    }

    @Override
    public String describe() {
      return domain + ": last update failed (" + lastCode + "), next attempt after " + retryAt;
    }
  }

  private final Map<String, Target> targets;
  private final Clock clock;
  private final FailureListener failures;
  private final Map<String, Map<Name, Optional<String>>> confirmed = new HashMap<>();
  private final Map<String, Backoff> backoffs = new HashMap<>();

  private record Backoff(int failures, String code, Instant retryAt) {}

  /**
   * @param targets per domain, where its records go; a domain missing here is not published
   * @param clock decides backoffs
   */
  public DnsPublisher(Map<String, Target> targets, Clock clock, FailureListener failures) {
    this.targets = Map.copyOf(targets);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.failures = Objects.requireNonNull(failures, "failures");
  }

  /** A publisher for every configured domain with {@code rotation.publish}. */
  public static DnsPublisher fromConfig(
      MailsealConfig config, Clock clock, FailureListener failures) {
    Map<String, Target> targets = new LinkedHashMap<>();
    for (String d : config.domainNames()) {
      MailsealConfig.Domain dom = config.domains().get(d);
      dom.rotation()
          .publish()
          .flatMap(config::dnsUpdate)
          .ifPresent(
              u ->
                  targets.put(
                      d,
                      new Target(
                          Rfc2136Updater.of(u, clock),
                          name(u.zone().orElse(d)),
                          dom.publishRecords())));
    }
    return new DnsPublisher(targets, clock, failures);
  }

  /** Whether mailseal writes {@code domain}'s records. */
  public boolean publishes(String domain) {
    return targets.containsKey(domain);
  }

  /**
   * What an update would change now for {@code desired} (reading the current SPF or DMARC record
   * from the server when one of them is to be written).
   */
  public synchronized List<TxtChange> changes(String domain, List<DnsRecord> desired)
      throws DnsUpdateException {
    Target t = targets.get(domain);
    if (t == null) {
      return List.of();
    }
    Map<Name, Optional<String>> known = confirmed.getOrDefault(domain, Map.of());
    List<TxtChange> out = new ArrayList<>();
    Set<Name> wanted = new LinkedHashSet<>();
    for (DnsRecord r : desired) {
      switch (r.kind()) {
        case DKIM_KEY:
          if (t.kinds().contains(PublishedRecord.DKIM)) {
            wanted.add(r.name());
            if (!Optional.of(r.value()).equals(known.get(r.name()))) {
              out.add(new TxtChange.Replace(r.name(), r.ttl(), List.of(r.txt())));
            }
          }
          break;
        case DKIM_REVOCATION:
          if (t.kinds().contains(PublishedRecord.DKIM)) {
            wanted.add(r.name());
            if (!Optional.empty().equals(known.get(r.name()))) {
              out.add(new TxtChange.Delete(r.name())); // RFC 6376 §3.6.1: no record, no key
            }
          }
          break;
        case SPF:
          if (t.kinds().contains(PublishedRecord.SPF)) {
            wanted.add(r.name());
            policy(t, r, "v=spf1", known).ifPresent(out::add);
          }
          break;
        case DMARC:
          if (t.kinds().contains(PublishedRecord.DMARC)) {
            wanted.add(r.name());
            policy(t, r, "v=DMARC1", known).ifPresent(out::add);
          }
          break;
        default:
          // Only TXT records are written (a parked domain's null MX is the owner's to publish).
          break;
      }
    }
    // A selector written earlier that no plan names any more (its key left the store): remove it.
    for (Map.Entry<Name, Optional<String>> e : known.entrySet()) {
      if (!wanted.contains(e.getKey()) && e.getValue().isPresent() && isDkimName(e.getKey())) {
        out.add(new TxtChange.Delete(e.getKey()));
      }
    }
    return out;
  }

  /** The update {@link #changes} would send, unsigned, for {@code --dry-run}. */
  public Update preview(String domain, List<DnsRecord> desired) throws DnsUpdateException {
    Target t = targets.get(domain);
    return Rfc2136Updater.message(t == null ? name(domain) : t.zone(), changes(domain, desired));
  }

  /**
   * Writes what changed in {@code desired} since the server last confirmed, unless an earlier
   * failure's backoff is not over. Never throws: failures are outcomes.
   */
  public Outcome publish(String domain, List<DnsRecord> desired) {
    return publish(domain, desired, false);
  }

  /** As {@link #publish}, without waiting for a backoff ({@code mailseal dns publish}). */
  public Outcome publishNow(String domain, List<DnsRecord> desired) {
    return publish(domain, desired, true);
  }

  private synchronized Outcome publish(String domain, List<DnsRecord> desired, boolean now) {
    Target t = targets.get(domain);
    if (t == null) {
      return new NotPublished(domain);
    }
    Backoff b = backoffs.get(domain);
    if (!now && b != null && clock.instant().isBefore(b.retryAt())) {
      return new Waiting(domain, b.code(), b.retryAt());
    }
    try {
      List<TxtChange> changes = changes(domain, desired);
      if (!changes.isEmpty()) {
        t.updater().send(t.zone(), changes);
        Map<Name, Optional<String>> known = confirmed.computeIfAbsent(domain, k -> new HashMap<>());
        for (TxtChange c : changes) {
          if (c instanceof TxtChange.Replace r) {
            known.put(r.name(), Optional.of(text(r.values().get(0))));
          } else if (c instanceof TxtChange.Swap s) {
            known.put(s.name(), Optional.of(text(s.add())));
          } else {
            known.put(c.name(), Optional.empty());
          }
        }
        log.info(
            "dns updated domain={} server={} zone={} changes={}",
            domain,
            t.updater().server(),
            t.zone(),
            changes.stream().map(TxtChange::describe).toList());
      }
      backoffs.remove(domain);
      if (b != null) {
        log.info("dns update recovered domain={} server={}", domain, t.updater().server());
      }
      return changes.isEmpty()
          ? new Unchanged(domain)
          : new Updated(domain, t.updater().server(), changes);
    } catch (DnsUpdateException e) {
      int n = b == null ? 1 : b.failures() + 1;
      Duration wait = FIRST_BACKOFF.multipliedBy(1L << Math.min(n - 1, 10));
      if (wait.compareTo(MAX_BACKOFF) > 0) {
        wait = MAX_BACKOFF;
      }
      Instant retryAt = clock.instant().plus(wait);
      backoffs.put(domain, new Backoff(n, e.code(), retryAt));
      failures.failed(domain, e.code());
      log.warn(
          "dns update failed domain={} server={} code={} error=\"{}\" failures={}; the current"
              + " keys keep signing, next attempt after {}",
          domain,
          t.updater().server(),
          e.code(),
          e.getMessage(),
          n,
          retryAt);
      return new Failed(domain, e, retryAt);
    }
  }

  /**
   * The existing policy record at {@code r}'s name swapped for {@code r}, unless it is {@code r}.
   */
  private static Optional<TxtChange> policy(
      Target t, DnsRecord r, String version, Map<Name, Optional<String>> known)
      throws DnsUpdateException {
    if (Optional.of(r.value()).equals(known.get(r.name()))) {
      return Optional.empty();
    }
    List<TxtRecord> existing = new ArrayList<>();
    for (TxtRecord x : t.updater().txt(r.name())) {
      if (x.text().strip().toLowerCase(Locale.ROOT).startsWith(version.toLowerCase(Locale.ROOT))) {
        existing.add(x);
      }
    }
    if (existing.size() == 1 && existing.get(0).text().strip().equals(r.value().strip())) {
      return Optional.empty();
    }
    return Optional.of(new TxtChange.Swap(r.name(), r.ttl(), existing, r.txt()));
  }

  private static String text(TxtRecord t) {
    return t.text();
  }

  private static boolean isDkimName(Name n) {
    return n.labels() > 2 && n.getLabelString(1).equalsIgnoreCase("_domainkey");
  }

  private static Name name(String domain) {
    try {
      return Name.fromString(domain.endsWith(".") ? domain : domain + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("not a DNS name: " + domain, e);
    }
  }
}
