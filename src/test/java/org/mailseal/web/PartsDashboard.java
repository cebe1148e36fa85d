// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.io.ByteArrayInputStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.mailseal.delivery.Bouncer;
import org.mailseal.delivery.LocalSubmission;
import org.mailseal.delivery.QueueBounce;
import org.mailseal.dns.DnsLookup;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.records.CheckResult;
import org.mailseal.records.DnsChecker;
import org.mailseal.records.DnsRecord;
import org.mailseal.records.RecordPlan;
import org.mailseal.records.SpfAnalysis;
import org.mailseal.records.ZoneWriter;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.RecipientState;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolException;

/**
 * A {@link Dashboard} made of the real parts (a key store, the record plan and DNS checker over a
 * lookup, SPF analysis, a spool and the delivery worker's bounce), as the relay builds it; the
 * tests use it so the pages show real data. The relay's own implementation does the same with its
 * configured parts (and the DMARC reports once they are read).
 */
final class PartsDashboard implements Dashboard {

  /** One configured domain: its SPF and DMARC records, and its rotation times. */
  record DomainSetup(
      String name,
      Optional<String> spf,
      Optional<String> dmarc,
      Duration prepublish,
      Duration grace,
      Instant nextGeneration) {}

  private record Checked(List<CheckResult> results, SpfAnalysis.Report spf, Instant at) {}

  private record Snapshot(List<Domain> domains, Instant at) {}

  static final Duration FRESH = Duration.ofSeconds(1);

  private final List<DomainSetup> domains;
  private final KeyStore keys;
  private final DnsLookup dns;
  private final Spool spool;
  private final Clock clock;
  private final QueueBounce bouncer;
  private final Map<String, Checked> checked = new ConcurrentHashMap<>();
  private volatile Snapshot snapshot;

  PartsDashboard(
      List<DomainSetup> domains,
      KeyStore keys,
      DnsLookup dns,
      Spool spool,
      Clock clock,
      SecureRandom random) {
    this.domains = List.copyOf(domains);
    this.keys = keys;
    this.dns = dns;
    this.spool = spool;
    this.clock = clock;
    LocalSubmission store =
        (envelope, message) -> {
          try {
            return spool.store(envelope, new ByteArrayInputStream(message));
          } catch (SpoolException e) {
            throw new LocalSubmission.Refused(e.getMessage(), true, e);
          }
        };
    this.bouncer =
        new QueueBounce(spool, new Bouncer(store, "relay.test", clock), RelayMetrics.none());
  }

  /**
   * The domains as of at most {@link #FRESH} ago: reading the key store and rendering the records
   * of ten domains costs about ten milliseconds, too much for every page view. A DNS check drops
   * the snapshot at once. (The relay keeps such a snapshot too, renewed after each reconcile.)
   */
  @Override
  public List<Domain> domains() throws DashboardException {
    Snapshot s = snapshot;
    Instant now = clock.instant();
    if (s != null && now.isBefore(s.at().plus(FRESH)) && !now.isBefore(s.at())) {
      return s.domains();
    }
    List<Domain> fresh = read(now);
    snapshot = new Snapshot(fresh, now);
    return fresh;
  }

  private List<Domain> read(Instant now) throws DashboardException {
    List<Domain> out = new ArrayList<>();
    for (DomainSetup d : domains) {
      List<DkimKey> ks = keys(d.name());
      List<DnsRecord> plan = RecordPlan.forDomain(d.name(), ks, d.spf(), d.dmarc(), now);
      Checked c = checked.get(d.name());
      List<Key> rows = new ArrayList<>();
      for (DkimKey k : ks) {
        rows.add(
            new Key(
                k.selector().value(),
                k.algorithm().tag(),
                k.bits(),
                k.state(),
                k.created(),
                k.activated().orElse(null),
                k.retired().orElse(null),
                k.revoked().orElse(null),
                k.state() == KeyState.PENDING ? k.created().plus(d.prepublish()) : null,
                k.retired().map(t -> t.plus(d.grace())).orElse(null),
                k.recordName(),
                k.record().render()));
      }
      out.add(
          new Domain(
              d.name(),
              rows,
              d.nextGeneration(),
              records(plan, c),
              c == null ? null : c.at(),
              new RecordFormats(
                  ZoneWriter.render(plan, ZoneWriter.Format.BIND),
                  ZoneWriter.render(plan, ZoneWriter.Format.TABLE),
                  ZoneWriter.render(plan, ZoneWriter.Format.JSON)),
              spf(c),
              new Dmarc(
                  d.dmarc().map(PartsDashboard::step).orElse(""),
                  "no reports read yet",
                  false,
                  List.of(),
                  List.of())));
    }
    return out;
  }

  @Override
  public Queue queue(int max) {
    List<SpoolEntry> entries = new ArrayList<>(spool.list());
    entries.sort(Comparator.comparing(SpoolEntry::accepted).thenComparing(SpoolEntry::id));
    Map<String, int[]> waiting = new LinkedHashMap<>();
    Map<String, String> replies = new LinkedHashMap<>();
    List<Message> messages = new ArrayList<>();
    for (SpoolEntry e : entries) {
      for (org.mailseal.spool.Recipient r : e.pending()) {
        if (!r.lastReply().isEmpty()) {
          String host = r.address().substring(r.address().lastIndexOf('@') + 1);
          waiting.computeIfAbsent(host, h -> new int[1])[0]++;
          replies.put(host, r.lastReply());
        }
      }
      if (messages.size() < max) {
        List<Dashboard.Recipient> rs = new ArrayList<>();
        for (org.mailseal.spool.Recipient r : e.recipients()) {
          rs.add(new Dashboard.Recipient(r.address(), r.state().name(), r.lastReply()));
        }
        messages.add(
            new Message(
                e.id().value(),
                e.sender(),
                rs,
                e.attempts(),
                e.accepted(),
                e.nextAttempt(),
                e.bounceRequested()));
      }
    }
    List<Upstream> failing = new ArrayList<>();
    waiting.forEach((h, n) -> failing.add(new Upstream(h, n[0], replies.get(h))));
    return new Queue(
        entries.size(), entries.isEmpty() ? null : entries.get(0).accepted(), messages, failing);
  }

  @Override
  public List<Dns> checkDns(String domain) throws DashboardException {
    DomainSetup d =
        domains.stream()
            .filter(x -> x.name().equals(domain))
            .findFirst()
            .orElseThrow(() -> new DashboardException("no such domain: " + domain));
    Instant now = clock.instant();
    List<DnsRecord> plan = RecordPlan.forDomain(d.name(), keys(d.name()), d.spf(), d.dmarc(), now);
    Checked c =
        new Checked(new DnsChecker(dns).check(plan), SpfAnalysis.analyze(dns, d.name()), now);
    checked.put(d.name(), c);
    snapshot = null;
    return records(plan, c);
  }

  @Override
  public ActionResult retry(String queueId) throws DashboardException {
    QueueId q = id(queueId);
    try {
      spool.reschedule(q, clock.instant());
      return new ActionResult(true, "Retrying " + q + " now.");
    } catch (SpoolException e) {
      throw new DashboardException("retry " + q + ": " + e.getMessage(), e);
    }
  }

  @Override
  public ActionResult bounce(String queueId) throws DashboardException {
    QueueId q = id(queueId);
    try {
      SpoolEntry e = spool.entry(q).orElseThrow();
      if (!bouncer.bounce(e, clock.instant()) || spool.entry(q).isPresent()) {
        return new ActionResult(false, "Bounce of " + q + " failed; the message is kept.");
      }
      return new ActionResult(
          true,
          "Bounced "
              + q
              + ": "
              + e.pending().size()
              + " recipient(s) failed, DSN queued to <"
              + e.sender()
              + ">.");
    } catch (SpoolException ex) {
      throw new DashboardException("bounce " + q + ": " + ex.getMessage(), ex);
    }
  }

  private QueueId id(String text) throws DashboardException {
    if (!QueueId.isValid(text) || spool.entry(QueueId.parse(text)).isEmpty()) {
      throw new DashboardException("no queued message " + text);
    }
    return QueueId.parse(text);
  }

  private List<DkimKey> keys(String domain) throws DashboardException {
    try {
      return keys.list(domain);
    } catch (KeyStoreException e) {
      throw new DashboardException("keys of " + domain + ": " + e.getMessage(), e);
    }
  }

  private static List<Dns> records(List<DnsRecord> plan, Checked c) {
    List<Dns> out = new ArrayList<>();
    for (DnsRecord r : plan) {
      DnsState state = DnsState.UNCHECKED;
      String detail = "";
      if (c != null) {
        for (CheckResult x : c.results()) {
          if (x.expected().name().equals(r.name()) && x.expected().value().equals(r.value())) {
            if (x instanceof CheckResult.Ok) {
              state = DnsState.OK;
            } else if (x instanceof CheckResult.Missing) {
              state = DnsState.MISSING;
              detail = "DNS has no such record";
            } else if (x instanceof CheckResult.Different diff) {
              state = DnsState.DIFFERENT;
              detail = "found: " + diff.found();
            } else {
              state = DnsState.ERROR;
              detail = ((CheckResult.Error) x).reason();
            }
          }
        }
      }
      out.add(new Dns(r.name().toString(), r.type(), r.value(), r.comment(), state, detail));
    }
    return out;
  }

  private static Spf spf(Checked c) {
    if (c == null) {
      return Spf.unchecked();
    }
    SpfAnalysis.Report r = c.spf();
    return new Spf(true, r.record().orElse(""), r.lookups(), r.problems());
  }

  private static String step(String dmarc) {
    for (String tag : dmarc.split(";")) {
      String t = tag.strip();
      if (t.startsWith("p=")) {
        return t;
      }
    }
    return "";
  }

  /** Marks a recipient of {@code id} deferred with {@code reply}, as a failed attempt does. */
  void defer(QueueId id, String address, String reply, Instant next) throws SpoolException {
    SpoolEntry e = spool.entry(id).orElseThrow();
    org.mailseal.spool.Recipient r =
        e.recipients().stream().filter(x -> x.address().equals(address)).findFirst().orElseThrow();
    if (r.state() != RecipientState.PENDING) {
      throw new IllegalStateException(address + " is not pending");
    }
    spool.recordAttempt(id, List.of(r.deferred(reply)), next);
  }
}
