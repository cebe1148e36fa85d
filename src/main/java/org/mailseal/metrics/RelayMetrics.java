// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's meters, named for Prometheus. Callers say what happened ({@link #accepted}, {@link
 * #signed}, {@link #delivered}, …); this class alone knows the names and tags:
 *
 * <pre>
 * mailseal_messages_accepted_total{domain}         mailseal_messages_rejected_total{reason}
 * mailseal_messages_signed_total{domain,algorithm} mailseal_auth_failures_total
 * mailseal_recipients_delivered_total              mailseal_recipients_deferred_total
 * mailseal_recipients_bounced_total                mailseal_rotation_dns_late{domain,selector} (1 per late key)
 * mailseal_accept_latency_seconds (histogram)      mailseal_signing_time_seconds (histogram)
 * mailseal_queue_depth                             mailseal_queue_oldest_age_seconds
 * mailseal_key_state{domain,selector,algorithm,state} (1 per key, its current state)
 * mailseal_key_rotation_days{domain,selector}      mailseal_dns_record_ok{name,type} (1 or 0)
 * mailseal_upstream_up{upstream} (1 or 0)          mailseal_upstream_last_failure{upstream,class} (1)
 * mailseal_upstream_failures_total{upstream,class}
 * mailseal_dmarc_messages{domain,alignment} (aligned or unaligned, from DMARC aggregate reports)
 * mailseal_user_limit_exceeded_total{limit}        mailseal_users_suspended_total
 * mailseal_users_file_errors_total
 * </pre>
 *
 * <p>Gauges are read when scraped. Key and DNS rows come from suppliers that {@link #refresh()}
 * re-reads (the {@link AdminServer} calls it before each scrape), so a key generated or revoked
 * after start appears or disappears without re-registration. {@link #none()} is a working instance
 * on a private registry, for commands and tests that export nothing: callers never check whether
 * metrics are enabled.
 */
public final class RelayMetrics {
  private static final Logger log = LoggerFactory.getLogger(RelayMetrics.class);

  /** At most this many distinct rejection reasons are kept; later ones are dropped. */
  static final int MAX_REJECT_REASONS = 64;

  /**
   * One DKIM key as the metrics show it.
   *
   * @param domain the signing domain ({@code d=})
   * @param selector the selector ({@code s=})
   * @param algorithm {@code rsa} or {@code ed25519}
   * @param state the key's state, exported lower-case as the {@code state} tag ({@code pending},
   *     {@code active}, {@code retired}, {@code revoked})
   * @param untilRotation time until the domain's next scheduled rotation, negative when overdue
   */
  public record KeyInfo(
      String domain, String selector, String algorithm, String state, Duration untilRotation) {
    public KeyInfo {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(selector, "selector");
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(untilRotation, "untilRotation");
    }
  }

  /**
   * Whether DNS shows one record as mailseal expects it.
   *
   * @param name the owner name, for example {@code s20261122r._domainkey.example.com}
   * @param type what the record is: {@code dkim}, {@code spf} or {@code dmarc}
   * @param ok true when the published record matches the expected one
   */
  public record DnsStatus(String name, String type, boolean ok) {
    public DnsStatus {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }

  /**
   * One upstream (smarthost) as the metrics show it.
   *
   * @param upstream its configured name
   * @param up false while delivery through it waits for a probe
   * @param lastFailure the class of its last failure: {@code auth}, {@code tls}, {@code connect},
   *     {@code 4xx} or {@code 5xx}; empty when it never failed
   */
  public record UpstreamStatus(
      String upstream, boolean up, java.util.Optional<String> lastFailure) {
    public UpstreamStatus {
      Objects.requireNonNull(upstream, "upstream");
      Objects.requireNonNull(lastFailure, "lastFailure");
    }
  }

  /**
   * Messages the DMARC aggregate reports counted for one domain over the relay's window.
   *
   * @param domain the domain the reports are about
   * @param aligned messages that passed DMARC (aligned SPF or DKIM)
   * @param unaligned messages that did not, forged ones included
   */
  public record DmarcVolume(String domain, long aligned, long unaligned) {
    public DmarcVolume {
      Objects.requireNonNull(domain, "domain");
    }
  }

  private final MeterRegistry registry;
  private final Timer acceptLatency;
  private final Timer signing;
  private final Counter authFailures;
  private final Counter delivered;
  private final Counter deferred;
  private final Counter bounced;
  private final GaugeRows keyState;
  private final GaugeRows keyRotationDays;
  private final GaugeRows dnsRecordOk;
  private final GaugeRows dnsLate;
  private final GaugeRows dmarcMessages;
  private final Map<String, List<String>> lateKeys = new TreeMap<>();
  private final List<Supplier<? extends Collection<KeyInfo>>> keySources = new ArrayList<>();
  private final List<Object> held = new ArrayList<>();
  private final List<Supplier<? extends Collection<DnsStatus>>> dnsSources = new ArrayList<>();
  private final List<Supplier<? extends Collection<UpstreamStatus>>> upstreamSources =
      new ArrayList<>();
  private GaugeRows upstreamUp;
  private GaugeRows upstreamLastFailure;
  private final List<Supplier<? extends Collection<DmarcVolume>>> dmarcSources = new ArrayList<>();

  /** Registers the relay's meters on {@code registry}; build it once per registry. */
  public RelayMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    // A reason is a reply code ("550 5.7.1"), a small set; the cap guards against a caller
    // passing free text, which would grow one time series per distinct message.
    registry
        .config()
        .meterFilter(
            MeterFilter.maximumAllowableTags(
                "mailseal.messages.rejected", "reason", MAX_REJECT_REASONS, MeterFilter.deny()));
    this.acceptLatency =
        Timer.builder("mailseal.accept.latency")
            .description(
                "End of DATA to the 250 reply: checks, signing and the durable spool write")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    this.signing =
        Timer.builder("mailseal.signing.time")
            .description("DKIM signing of one message, all its signatures")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    this.authFailures =
        Counter.builder("mailseal.auth.failures")
            .description("Failed AUTH attempts")
            .register(registry);
    this.delivered =
        Counter.builder("mailseal.recipients.delivered")
            .description("Recipients the next hop accepted")
            .register(registry);
    this.deferred =
        Counter.builder("mailseal.recipients.deferred")
            .description("Delivery attempts that failed transiently and will be retried")
            .register(registry);
    this.bounced =
        Counter.builder("mailseal.recipients.bounced")
            .description("Recipients given up on (5xx or too old); the sender gets a DSN")
            .register(registry);
    this.keyState =
        new GaugeRows(
            registry, "mailseal.key.state", "1 for each key, tagged with its current state");
    this.keyRotationDays =
        new GaugeRows(
            registry,
            "mailseal.key.rotation.days",
            "Days until the domain's next scheduled rotation, negative when overdue");
    this.dnsRecordOk =
        new GaugeRows(
            registry,
            "mailseal.dns.record.ok",
            "1 when DNS shows the record as expected, 0 otherwise");
    this.dmarcMessages =
        new GaugeRows(
            registry,
            "mailseal.dmarc.messages",
            "Messages DMARC aggregate reports counted for the domain, aligned or unaligned");
    this.dnsLate =
        new GaugeRows(
            registry,
            "mailseal.rotation.dns.late",
            "1 for each PENDING key DNS still does not show past its deadline");
  }

  /** Metrics kept on a private registry that nobody reads. */
  public static RelayMetrics none() {
    return new RelayMetrics(new SimpleMeterRegistry());
  }

  /** The registry these meters live on. */
  public MeterRegistry registry() {
    return registry;
  }

  /** A message accepted (250) whose From domain is {@code domain}. */
  public void accepted(String domain) {
    registry.counter("mailseal.messages.accepted", "domain", domain).increment();
  }

  /** One DKIM signature added for {@code domain} with {@code algorithm} ({@code rsa}, …). */
  public void signed(String domain, String algorithm) {
    registry
        .counter("mailseal.messages.signed", "domain", domain, "algorithm", algorithm)
        .increment();
  }

  /**
   * A message accepted for {@code domain} and signed with each of {@code algorithms}: {@link
   * #accepted(String)}, {@link #signed} per algorithm and both timings in one call.
   */
  public void accepted(
      String domain, Iterable<String> algorithms, long signNanos, long totalNanos) {
    accepted(domain);
    for (String a : algorithms) {
      signed(domain, a);
    }
    recordSigning(Duration.ofNanos(signNanos));
    recordAcceptLatency(Duration.ofNanos(totalNanos));
  }

  /**
   * A command or message refused, by reply code and enhanced status ({@code "550 5.7.1"}). Keep
   * reasons to a small fixed set: past {@value #MAX_REJECT_REASONS} distinct ones, new reasons are
   * not counted.
   */
  public void rejected(String reason) {
    registry.counter("mailseal.messages.rejected", "reason", reason).increment();
  }

  /** End of DATA to the 250 reply, measured with {@code System.nanoTime()}. */
  public void recordAcceptLatency(Duration latency) {
    acceptLatency.record(latency.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Time spent signing one message (all its signatures). */
  public void recordSigning(Duration time) {
    signing.record(time.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * An RFC 2136 update of {@code domain}'s records failed; {@code code} is the server's answer or
   * ours in one word (BADSIG, BADKEY, REFUSED, NOTAUTH, TIMEOUT…): a small fixed set.
   */
  public void dnsUpdateFailed(String domain, String code) {
    registry.counter("mailseal.dns.update.failures", "domain", domain, "code", code).increment();
  }

  /** A failed AUTH attempt (bad credentials or throttled). */
  public void authFailure() {
    authFailures.increment();
  }

  /**
   * A user crossed a per-user sending limit ({@code mailseal_user_limit_exceeded_total{limit}},
   * {@code limit} one of the four limit keys, such as {@code messages-per-day}).
   */
  public void userLimitExceeded(String limit) {
    Counter.builder("mailseal.user.limit.exceeded")
        .description("Messages or recipients refused because a user crossed a sending limit")
        .tag("limit", limit)
        .register(registry)
        .increment();
  }

  /** A user suspended for crossing a limit ({@code mailseal_users_suspended_total}). */
  public void userSuspended() {
    Counter.builder("mailseal.users.suspended")
        .description("Users suspended for crossing a sending limit (limits.suspend-on-exceed)")
        .register(registry)
        .increment();
  }

  /**
   * How many changed users files could not be read and were ignored ({@code
   * mailseal_users_file_errors_total}), read when scraped.
   */
  public void usersFileErrors(Supplier<Number> failures) {
    synchronized (this) {
      held.add(failures); // FunctionCounter holds its object weakly
    }
    FunctionCounter.builder("mailseal.users.file.errors", failures, f -> f.get().doubleValue())
        .description("Changed users files that did not parse; the previous users stayed in use")
        .register(registry);
  }

  /** One recipient accepted by the next hop. */
  public void delivered() {
    delivered.increment();
  }

  /** One recipient's attempt failed transiently; it stays queued. */
  public void deferred() {
    deferred.increment();
  }

  /** One recipient given up on; a DSN goes to the sender. */
  public void bounced() {
    bounced.increment();
  }

  /**
   * Queue depth and the age of the oldest queued message, read when scraped. The suppliers are held
   * strongly (Micrometer's object gauges hold theirs weakly, and a lambda held nowhere else would
   * be collected and read as NaN).
   */
  public void queue(Supplier<Number> depth, Supplier<Duration> oldestAge) {
    Gauge.builder("mailseal.queue.depth", depth)
        .description("Messages in the spool")
        .strongReference(true)
        .register(registry);
    Gauge.builder("mailseal.queue.oldest.age.seconds", () -> oldestAge.get().toMillis() / 1000.0)
        .description("Age of the oldest message in the spool, 0 when empty")
        .strongReference(true)
        .register(registry);
  }

  /**
   * The listeners' certificate expiry, read when scraped: seconds since the epoch of its notAfter
   * ({@code mailseal_tls_certificate_expiry_seconds}), NaN while there is none. Alert on it minus
   * time() rather than on renewal errors: the old certificate serves while renewal retries.
   */
  public void certificateExpiry(Supplier<java.util.Optional<java.time.Instant>> notAfter) {
    Gauge.builder(
            "mailseal.tls.certificate.expiry",
            () -> notAfter.get().map(t -> (double) t.getEpochSecond()).orElse(Double.NaN))
        .description("When the listeners' certificate expires, seconds since the epoch")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
  }

  /** Where key states come from; read now and on every {@link #refresh()}. */
  public void keys(Supplier<? extends Collection<KeyInfo>> source) {
    synchronized (this) {
      keySources.add(Objects.requireNonNull(source, "source"));
    }
    refresh();
  }

  /** Where DNS check results come from; read now and on every {@link #refresh()}. */
  public void dnsRecords(Supplier<? extends Collection<DnsStatus>> source) {
    synchronized (this) {
      dnsSources.add(Objects.requireNonNull(source, "source"));
    }
    refresh();
  }

  /**
   * Where DMARC report volumes come from (for example {@code ReportHistory.volumes}, kept by the
   * relay after each fetch); read now and on every {@link #refresh()}.
   */
  public void dmarcVolumes(Supplier<? extends Collection<DmarcVolume>> source) {
    synchronized (this) {
      dmarcSources.add(Objects.requireNonNull(source, "source"));
    }
    refresh();
  }

  /**
   * Re-reads the key and DNS suppliers and replaces their rows: a key or record no longer supplied
   * disappears. A supplier that throws keeps the rows it gave last time.
   */
  public synchronized void refresh() {
    List<KeyInfo> keys = new ArrayList<>();
    List<DnsStatus> records = new ArrayList<>();
    boolean keysOk = collect(keySources, keys, "keys");
    boolean dnsOk = collect(dnsSources, records, "dns");
    List<UpstreamStatus> upstreams = new ArrayList<>();
    if (!upstreamSources.isEmpty() && collect(upstreamSources, upstreams, "upstreams")) {
      Map<Tags, Double> up = new LinkedHashMap<>();
      Map<Tags, Double> failure = new LinkedHashMap<>();
      for (UpstreamStatus u : upstreams) {
        up.put(Tags.of("upstream", u.upstream()), u.up() ? 1.0 : 0.0);
        u.lastFailure()
            .ifPresent(c -> failure.put(Tags.of("upstream", u.upstream(), "class", c), 1.0));
      }
      upstreamUp.set(up);
      upstreamLastFailure.set(failure);
    }
    List<DmarcVolume> volumes = new ArrayList<>();
    if (collect(dmarcSources, volumes, "dmarc")) {
      Map<Tags, Double> rows = new LinkedHashMap<>();
      for (DmarcVolume v : volumes) {
        rows.put(Tags.of("domain", v.domain(), "alignment", "aligned"), (double) v.aligned());
        rows.put(Tags.of("domain", v.domain(), "alignment", "unaligned"), (double) v.unaligned());
      }
      dmarcMessages.set(rows);
    }
    if (keysOk) {
      Map<Tags, Double> states = new LinkedHashMap<>();
      Map<Tags, Double> days = new LinkedHashMap<>();
      for (KeyInfo k : keys) {
        states.put(
            Tags.of(
                "domain", k.domain(),
                "selector", k.selector(),
                "algorithm", k.algorithm(),
                "state", k.state().toLowerCase(Locale.ROOT)),
            1.0);
        days.put(
            Tags.of("domain", k.domain(), "selector", k.selector()),
            k.untilRotation().toSeconds() / 86_400.0);
      }
      keyState.set(states);
      keyRotationDays.set(days);
    }
    if (dnsOk) {
      Map<Tags, Double> rows = new LinkedHashMap<>();
      for (DnsStatus r : records) {
        rows.put(Tags.of("name", r.name(), "type", r.type()), r.ok() ? 1.0 : 0.0);
      }
      dnsRecordOk.set(rows);
    }
  }

  private static <T> boolean collect(
      List<Supplier<? extends Collection<T>>> sources, List<T> into, String what) {
    try {
      for (Supplier<? extends Collection<T>> s : sources) {
        into.addAll(s.get());
      }
      return true;
    } catch (RuntimeException e) {
      log.warn("metrics source failed source={} error=\"{}\"", what, e.toString());
      return false;
    }
  }

  /**
   * The rotation alert: the PENDING keys of {@code domain} that DNS still does not show past their
   * deadline, as found by the latest reconcile. Each is a row of 1; an empty list clears the
   * domain's rows, so the alert ends when DNS is fixed.
   */
  public synchronized void dnsLate(String domain, Collection<String> selectors) {
    if (selectors.isEmpty()) {
      lateKeys.remove(domain);
    } else {
      lateKeys.put(domain, List.copyOf(selectors));
    }
    Map<Tags, Double> rows = new LinkedHashMap<>();
    lateKeys.forEach(
        (d, late) -> late.forEach(s -> rows.put(Tags.of("domain", d, "selector", s), 1.0)));
    dnsLate.set(rows);
  }

  /**
   * Where upstream health comes from ({@code mailseal_upstream_up}, {@code
   * mailseal_upstream_last_failure}); read now and on every {@link #refresh()}.
   */
  public void upstreams(Supplier<? extends Collection<UpstreamStatus>> source) {
    synchronized (this) {
      if (upstreamUp == null) {
        upstreamUp =
            new GaugeRows(
                registry,
                "mailseal.upstream.up",
                "1 while delivery through the upstream works, 0 while it waits");
        upstreamLastFailure =
            new GaugeRows(
                registry,
                "mailseal.upstream.last.failure",
                "1 for the class of the upstream's last failure");
      }
      upstreamSources.add(Objects.requireNonNull(source, "source"));
    }
    refresh();
  }

  /** One failure of {@code upstream}, by class ({@code auth}, {@code tls}, {@code connect}, …). */
  public void upstreamFailure(String upstream, String failureClass) {
    registry
        .counter("mailseal.upstream.failures", "upstream", upstream, "class", failureClass)
        .increment();
  }
}
