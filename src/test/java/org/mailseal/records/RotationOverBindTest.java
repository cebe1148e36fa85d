// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.MailsealConfig;
import org.mailseal.config.SecretRef;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.SelectorTemplate;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.rotation.Reconciler;
import org.mailseal.rotation.RotationPolicy;
import org.mailseal.testing.BindServer;
import org.mailseal.testing.MutableClock;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * The proof of hands-off rotation: nobody touches DNS. After each reconcile the relay hands the
 * desired records to the {@link DnsPublisher}, which writes them to a real BIND primary; the DNS
 * check that gates activation asks that same BIND.
 */
@Timeout(120)
class RotationOverBindTest {
  static final String DOMAIN = "example.com";

  @TempDir Path dir;
  BindServer bind;
  MutableClock clock;
  FileKeyStore store;
  Reconciler reconciler;
  DnsPublisher publisher;
  RelayMetrics metrics;
  Path secretFile;
  DnsChecker checker;

  final RotationPolicy policy =
      new RotationPolicy(
          List.of(KeyAlgorithm.ED25519),
          2048,
          "0 0 3 1 1/3 ?",
          Duration.ofHours(72),
          Duration.ofDays(14),
          Duration.ofDays(7));

  @BeforeEach
  void start() throws Exception {
    bind = BindServer.start(dir.resolve("bind"), DOMAIN);
    clock = new MutableClock(Instant.parse("2026-11-22T03:00:00Z"));
    store = new FileKeyStore(dir.resolve("keys"), clock);
    checker = new DnsChecker(DnsjavaLookup.server(bind.hostPort()));
    reconciler =
        new Reconciler(
            store,
            new KeyGenerator(new SecureRandom()),
            SelectorTemplate.DEFAULT,
            clock,
            Reconciler.dnsView(checker));
    secretFile = dir.resolve("tsig.secret");
    Files.writeString(secretFile, bind.secret() + "\n");
    MailsealConfig.Tsig key =
        new MailsealConfig.Tsig(
            BindServer.KEY_NAME,
            MailsealConfig.TsigAlgorithm.HMAC_SHA256,
            new SecretRef(null, secretFile),
            "test");
    metrics = new RelayMetrics(new SimpleMeterRegistry());
    // TSIG signs with the wall clock (BIND checks it); the rotation runs on the test's clock.
    Rfc2136Updater updater =
        new Rfc2136Updater(bind.address(), key, Clock.systemUTC(), Duration.ofSeconds(5));
    publisher =
        new DnsPublisher(
            Map.of(
                DOMAIN,
                new DnsPublisher.Target(
                    updater,
                    Name.fromString(DOMAIN + "."),
                    Set.of(MailsealConfig.PublishedRecord.DKIM))),
            clock,
            metrics::dnsUpdateFailed);
  }

  @AfterEach
  void stop() {
    if (bind != null) {
      bind.close();
    }
  }

  /** What the relay does on each reconcile: reconcile, then publish the desired records. */
  DnsPublisher.Outcome reconcile() throws Exception {
    reconciler.reconcile(DOMAIN, policy);
    List<DnsRecord> desired =
        RecordPlan.forDomain(
            DOMAIN, store.list(DOMAIN), Optional.empty(), Optional.empty(), clock.instant());
    return publisher.publish(DOMAIN, desired);
  }

  DkimKey key(String selector) throws Exception {
    return store.list(DOMAIN).stream()
        .filter(k -> k.selector().value().equals(selector))
        .findFirst()
        .orElseThrow();
  }

  /** Whether BIND serves {@code k}'s exact key (the DNS check that gates activation). */
  boolean bindShows(DkimKey k) {
    return checker
            .check(
                List.of(
                    DnsRecord.of(
                        k.recordName(),
                        DnsRecord.Kind.DKIM_KEY,
                        3600,
                        k.record().render(),
                        "expected")))
            .get(0)
        instanceof CheckResult.Ok;
  }

  List<String> bindAnswers(DkimKey k) throws Exception {
    return DnsjavaLookup.server(bind.hostPort()).txt(Name.fromString(k.recordName() + ".")).stream()
        .map(t -> t.text())
        .toList();
  }

  double failures(String code) {
    var c =
        metrics
            .registry()
            .find("mailseal.dns.update.failures")
            .tags("domain", DOMAIN, "code", code)
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void wholeRotationRunsWithNobodyTouchingDns() throws Exception {
    // Generation: mailseal writes the new key's record itself.
    assertThat(reconcile()).isInstanceOf(DnsPublisher.Updated.class);
    DkimKey a = store.list(DOMAIN).get(0);
    assertThat(a.state()).isEqualTo(KeyState.PENDING);
    assertThat(bindShows(a)).isTrue();

    // Activation after the prepublish time, gated on what BIND answers.
    clock.advance(Duration.ofHours(71));
    assertThat(reconcile()).isInstanceOf(DnsPublisher.Unchanged.class);
    assertThat(key(a.selector().value()).state()).isEqualTo(KeyState.PENDING);
    clock.advance(Duration.ofHours(2));
    reconcile();
    assertThat(key(a.selector().value()).state()).isEqualTo(KeyState.ACTIVE);

    // The next scheduled generation: B is written while A keeps signing.
    clock.set(Instant.parse("2027-01-01T03:00:01Z"));
    assertThat(reconcile()).isInstanceOf(DnsPublisher.Updated.class);
    DkimKey b =
        store.list(DOMAIN).stream()
            .filter(k -> k.state() == KeyState.PENDING)
            .findFirst()
            .orElseThrow();
    assertThat(bindShows(b)).isTrue();
    assertThat(bindShows(a)).isTrue();
    assertThat(key(a.selector().value()).state()).isEqualTo(KeyState.ACTIVE);

    // B activates, A retires but stays published through the grace period.
    clock.advance(Duration.ofHours(73));
    reconcile();
    assertThat(key(b.selector().value()).state()).isEqualTo(KeyState.ACTIVE);
    assertThat(key(a.selector().value()).state()).isEqualTo(KeyState.RETIRED);
    assertThat(bindShows(a)).isTrue();

    // Grace over: A is revoked and its record removed from BIND; B stays.
    clock.advance(Duration.ofDays(15));
    DnsPublisher.Outcome revoked = reconcile();
    assertThat(key(a.selector().value()).state()).isEqualTo(KeyState.REVOKED);
    assertThat(revoked).isInstanceOf(DnsPublisher.Updated.class);
    assertThat(((DnsPublisher.Updated) revoked).changes())
        .extracting(TxtChange::describe)
        .containsExactly("delete TXT " + a.recordName() + ".");
    assertThat(bindAnswers(a)).isEmpty();
    assertThat(bindShows(b)).isTrue();
    assertThat(failures("BADSIG")).isZero();
  }

  @Test
  void wrongTsigSecretKeepsTheNewKeyPendingUntilItIsFixed() throws Exception {
    reconcile();
    clock.advance(Duration.ofHours(73));
    reconcile();
    DkimKey a = store.list(DOMAIN).get(0);
    assertThat(a.state()).isEqualTo(KeyState.ACTIVE);

    // Someone rotates the TSIG key on the server and not here.
    Files.writeString(secretFile, "c2VjcmV0IHRoYXQgaXMgbm90IHRoZSBzZXJ2ZXIncw==\n");
    clock.set(Instant.parse("2027-01-01T03:00:01Z"));
    Logger logger = (Logger) LoggerFactory.getLogger(DnsPublisher.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    DnsPublisher.Outcome failed;
    try {
      failed = reconcile();
    } finally {
      logger.detachAppender(logged);
    }
    assertThat(failed).isInstanceOf(DnsPublisher.Failed.class);
    assertThat(failed.describe()).contains("BADSIG");
    assertThat(logged.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(
            m -> m.startsWith("dns update failed domain=example.com") && m.contains("code=BADSIG"));
    assertThat(failures("BADSIG")).isEqualTo(1);
    DkimKey b =
        store.list(DOMAIN).stream()
            .filter(k -> k.state() == KeyState.PENDING)
            .findFirst()
            .orElseThrow();
    assertThat(bindAnswers(b)).isEmpty();

    // Within the backoff nothing is sent; past the prepublish time B still cannot activate.
    assertThat(reconcile()).isInstanceOf(DnsPublisher.Waiting.class);
    clock.advance(Duration.ofHours(73));
    assertThat(reconcile()).isInstanceOf(DnsPublisher.Failed.class);
    assertThat(failures("BADSIG")).isEqualTo(2);
    assertThat(key(b.selector().value()).state()).isEqualTo(KeyState.PENDING);
    assertThat(key(a.selector().value()).state()).isEqualTo(KeyState.ACTIVE); // still signs

    // The secret is fixed: the next reconcile after the backoff writes B, the one after activates.
    Files.writeString(secretFile, bind.secret() + "\n");
    clock.advance(DnsPublisher.FIRST_BACKOFF.multipliedBy(2));
    assertThat(reconcile()).isInstanceOf(DnsPublisher.Updated.class);
    assertThat(bindShows(b)).isTrue();
    reconcile();
    assertThat(key(b.selector().value()).state()).isEqualTo(KeyState.ACTIVE);
    assertThat(key(a.selector().value()).state()).isEqualTo(KeyState.RETIRED);
    assertThat(failures("BADSIG")).isEqualTo(2);
  }
}
