// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.records.CheckResult;
import org.mailseal.records.DnsRecord;
import org.mailseal.records.SpfAnalysis;
import org.mailseal.records.ZoneWriter;
import org.mailseal.reports.AggregateReport;
import org.mailseal.reports.DomainReport;
import org.mailseal.reports.ReportStoreException;
import org.mailseal.reports.SourceReport;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolException;
import org.mailseal.web.Dashboard;
import org.mailseal.web.DashboardException;

/**
 * What the running relay shows on its dashboard, made with the operations the commands use: the
 * record plan of {@code dns records} ({@link DnsExport#plan}), the check of {@code dns check}
 * ({@link DnsStatusWatch}), {@code spf check}'s analysis, and the spool's retry and bounce requests
 * that {@code queue retry|bounce} send to a running server (the delivery worker then bounces and
 * sends the DSN). Domain views are kept for a second: reading the key store and rendering the
 * records of many domains on every page view would cost more than the page.
 */
final class DashboardData implements Dashboard {
  static final Duration FRESH = Duration.ofSeconds(1);

  private record Checked(List<CheckResult> results, SpfAnalysis.Report spf, Instant at) {}

  private record Snapshot(List<Domain> domains, Instant at) {}

  private final Optional<ReportsWatch> reports;
  private final Supplier<List<String>> upstreamsDown;
  private final MailsealConfig config;
  private final KeyStore keys;
  private final DnsStatusWatch dns;
  private final Spool spool;
  private final Runnable wakeDelivery;
  private final Clock clock;
  private final Map<String, Checked> checked = new ConcurrentHashMap<>();
  private volatile Snapshot snapshot;

  DashboardData(
      MailsealConfig config,
      KeyStore keys,
      DnsStatusWatch dns,
      Spool spool,
      Runnable wakeDelivery,
      Clock clock) {
    this(config, keys, dns, spool, wakeDelivery, clock, Optional.empty(), List::of);
  }

  /**
   * @param reports the stored DMARC reports, when the relay reads them
   * @param upstreamsDown one line per smarthost that is down (the probes' view)
   */
  DashboardData(
      MailsealConfig config,
      KeyStore keys,
      DnsStatusWatch dns,
      Spool spool,
      Runnable wakeDelivery,
      Clock clock,
      Optional<ReportsWatch> reports,
      Supplier<List<String>> upstreamsDown) {
    this.reports = reports;
    this.upstreamsDown = upstreamsDown;
    this.config = config;
    this.keys = keys;
    this.dns = dns;
    this.spool = spool;
    this.wakeDelivery = wakeDelivery;
    this.clock = clock;
  }

  @Override
  public List<Domain> domains() throws DashboardException {
    Snapshot s = snapshot;
    Instant now = clock.instant();
    if (s != null && now.isBefore(s.at().plus(FRESH)) && !now.isBefore(s.at())) {
      return s.domains();
    }
    List<Domain> out = new ArrayList<>();
    for (String d : config.allDomainNames()) {
      out.add(domain(d, now));
    }
    snapshot = new Snapshot(List.copyOf(out), now);
    return out;
  }

  private Domain domain(String name, Instant now) throws DashboardException {
    MailsealConfig.Domain dom = config.domains().get(name);
    try {
      List<DkimKey> ks = dom.parked() ? List.of() : keys.list(name);
      List<DnsRecord> plan = DnsExport.plan(config, keys, name, clock);
      Checked c = checked.get(name);
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
                k.state() == KeyState.PENDING
                    ? k.created().plus(dom.rotation().prepublish())
                    : null,
                k.retired().map(t -> t.plus(dom.rotation().grace())).orElse(null),
                k.recordName(),
                k.record().render()));
      }
      return new Domain(
          name,
          rows,
          dom.parked() ? null : RotationSetup.policy(dom).nextGeneration(now).orElse(null),
          records(plan, c),
          c == null ? null : c.at(),
          new RecordFormats(
              ZoneWriter.render(plan, ZoneWriter.Format.BIND),
              ZoneWriter.render(plan, ZoneWriter.Format.TABLE),
              ZoneWriter.render(plan, ZoneWriter.Format.JSON)),
          c == null
              ? Spf.unchecked()
              : new Spf(true, c.spf().record().orElse(""), c.spf().lookups(), c.spf().problems()),
          dmarc(name, dom, now));
    } catch (KeyStoreException e) {
      throw new DashboardException("keys of " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Queue queue(int max) {
    List<SpoolEntry> entries = new ArrayList<>(spool.list());
    entries.sort(Comparator.comparing(SpoolEntry::accepted).thenComparing(SpoolEntry::id));
    Map<String, int[]> waiting = new LinkedHashMap<>();
    Map<String, String> replies = new LinkedHashMap<>();
    List<Message> messages = new ArrayList<>();
    for (SpoolEntry e : entries) {
      for (var r : e.pending()) {
        if (!r.lastReply().isEmpty()) {
          String host = r.address().substring(r.address().lastIndexOf('@') + 1);
          waiting.computeIfAbsent(host, h -> new int[1])[0]++;
          replies.put(host, r.lastReply());
        }
      }
      if (messages.size() < max) {
        List<Dashboard.Recipient> rs = new ArrayList<>();
        for (var r : e.recipients()) {
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
    // What the probes say first (a smarthost that is down), then what deferred recipients say.
    for (String line : upstreamsDown.get()) {
      failing.add(new Upstream(line, 0, "down: mail for it waits for the next probe"));
    }
    waiting.forEach((h, n) -> failing.add(new Upstream(h, n[0], replies.get(h))));
    return new Queue(
        entries.size(), entries.isEmpty() ? null : entries.get(0).accepted(), messages, failing);
  }

  /** How long back the DMARC page looks. */
  private static final Duration DMARC_PERIOD = Duration.ofDays(30);

  /**
   * The DMARC panel: the step and verdict, aligned and unaligned messages per day, and the sources
   * of the stored reports; the published step alone while no report was read.
   */
  private Dmarc dmarc(String name, MailsealConfig.Domain dom, Instant now) {
    Dmarc none = new Dmarc(step(PublishedPolicies.dmarc(dom)), "", false, List.of(), List.of());
    if (reports.isEmpty()) {
      return none;
    }
    try {
      DomainReport r = reports.get().history().report(name, DMARC_PERIOD);
      if (r.reports() == 0) {
        return none;
      }
      Map<LocalDate, long[]> perDay = new TreeMap<>();
      for (AggregateReport a : reports.get().store().reports(name, now.minus(DMARC_PERIOD), now)) {
        long[] day =
            perDay.computeIfAbsent(
                LocalDate.ofInstant(a.begin(), ZoneOffset.UTC), d -> new long[2]);
        for (AggregateReport.Row row : a.rows()) {
          // DMARC passes when the receiver found DKIM or SPF aligned and passing.
          boolean aligned = "pass".equals(row.dkimEvaluated()) || "pass".equals(row.spfEvaluated());
          day[aligned ? 0 : 1] += row.count();
        }
      }
      List<DmarcDay> days = new ArrayList<>();
      perDay.forEach((d, n) -> days.add(new DmarcDay(d, n[0], n[1])));
      List<DmarcSource> sources = new ArrayList<>();
      for (SourceReport s : r.sources()) {
        sources.add(
            new DmarcSource(
                s.ip(),
                s.reverseName(),
                s.messages(),
                s.aligned(),
                s.classification().kind() + ": " + s.classification().evidence()));
      }
      return new Dmarc(
          r.verdict().current().map(Object::toString).orElse(none.step()),
          r.verdict().summary(),
          r.verdict().ready(),
          days,
          sources);
    } catch (ReportStoreException e) {
      return new Dmarc(
          none.step(), "reports cannot be read: " + e.getMessage(), false, List.of(), List.of());
    }
  }

  @Override
  public List<Dns> checkDns(String domain) throws DashboardException {
    MailsealConfig.Domain dom = config.domains().get(domain);
    if (dom == null) {
      throw new DashboardException("no such domain: " + domain);
    }
    try {
      List<DnsRecord> plan = DnsExport.plan(config, keys, domain, clock);
      Checked c =
          new Checked(dns.check(domain), SpfAnalysis.analyze(lookup(dom), domain), clock.instant());
      checked.put(domain, c);
      snapshot = null;
      return records(plan, c);
    } catch (KeyStoreException e) {
      throw new DashboardException("keys of " + domain + ": " + e.getMessage(), e);
    }
  }

  /** SPF is analysed through the first configured server, else the system resolver. */
  private static DnsLookup lookup(MailsealConfig.Domain dom) {
    MailsealConfig.Rotation r = dom.rotation();
    return r.dnsCheck() == MailsealConfig.DnsCheck.SERVERS && !r.dnsServers().isEmpty()
        ? DnsjavaLookup.server(r.dnsServers().get(0))
        : DnsjavaLookup.system();
  }

  @Override
  public ActionResult retry(String queueId) throws DashboardException {
    QueueId q = id(queueId);
    try {
      spool.reschedule(q, clock.instant());
      wakeDelivery.run();
      return new ActionResult(true, "Retrying " + q + " now.");
    } catch (SpoolException e) {
      throw new DashboardException("retry " + q + ": " + e.getMessage(), e);
    }
  }

  @Override
  public ActionResult bounce(String queueId) throws DashboardException {
    QueueId q = id(queueId);
    try {
      SpoolEntry e = spool.requestBounce(q);
      wakeDelivery.run();
      return new ActionResult(
          true,
          "Bouncing "
              + q
              + ": "
              + e.pending().size()
              + " recipient(s) fail now"
              + (e.sender().isEmpty() ? "." : "; the DSN goes to <" + e.sender() + ">."));
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
              detail = "";
            } else if (x instanceof CheckResult.Missing) {
              state = DnsState.MISSING;
              detail = "DNS has no such record" + at(x.server());
            } else if (x instanceof CheckResult.Different diff) {
              state = DnsState.DIFFERENT;
              detail = "found: " + diff.found() + at(x.server());
            } else {
              state = DnsState.ERROR;
              detail = ((CheckResult.Error) x).reason() + at(x.server());
            }
          }
        }
      }
      out.add(new Dns(r.name().toString(), r.type(), r.value(), r.comment(), state, detail));
    }
    return out;
  }

  private static String at(String server) {
    return server.isEmpty() ? "" : " (at " + server + ")";
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
}
