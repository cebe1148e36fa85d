// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.testing.Waits.await;

import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.keys.Selector;
import org.mailseal.keys.SelectorTemplate;
import org.mailseal.records.DnsChecker;
import org.mailseal.testing.FakeDnsLookup;
import org.mailseal.testing.MutableClock;
import org.quartz.CronExpression;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.impl.StdSchedulerFactory;

/**
 * The rotation on real Quartz (in-memory job store): schedule firings, their misfire after a
 * restart, trigger replacement when the schedule changes, and the periodic reconcile. A firing is
 * made by the test ({@link RotationScheduler#fireGeneration}) at a time read from the stored cron
 * trigger, on a clock the test sets, so no test waits for the wall clock to reach a schedule; only
 * the misfire test uses the system clock, with a firing already in the past.
 */
class RotationSchedulerTest {
  private static final String D = "example.com";

  @TempDir Path dir;
  private final List<Transition> done = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger reconciles = new AtomicInteger();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** At 03:00 UTC on the first day of January, April, July and October. */
  private static final String QUARTERLY = "0 0 3 1 1/3 ?";

  private static RotationPolicy policy(String cron) {
    return new RotationPolicy(
        List.of(KeyAlgorithm.ED25519),
        2048,
        cron,
        Duration.ofHours(72),
        Duration.ofDays(14),
        Duration.ofDays(7));
  }

  private Rotator rotator(Clock clock, String cron, Predicate<DkimKey> dns) {
    Reconciler reconciler =
        new Reconciler(
            new FileKeyStore(dir, clock),
            new KeyGenerator(new SecureRandom()),
            SelectorTemplate.DEFAULT,
            clock,
            dns);
    return new Rotator(
        reconciler,
        Map.of(D, policy(cron)),
        (domain, transitions) -> {
          done.addAll(transitions);
          reconciles.incrementAndGet();
        });
  }

  private static Properties quartz() {
    Properties p = RotationScheduler.embedded("test-" + UUID.randomUUID());
    p.setProperty("org.quartz.jobStore.misfireThreshold", "100");
    return p;
  }

  private RotationScheduler started(Rotator rotator, Duration interval) throws Exception {
    RotationScheduler s = new RotationScheduler(quartz(), rotator, interval);
    open.add(s);
    s.start();
    return s;
  }

  /** A Quartz cron expression that fires once, at {@code t} (whole seconds, UTC). */
  private static String cronAt(Instant t) {
    ZonedDateTime z = t.atZone(ZoneOffset.UTC);
    return String.format(
        "%d %d %d %d %d ? %d",
        z.getSecond(),
        z.getMinute(),
        z.getHour(),
        z.getDayOfMonth(),
        z.getMonthValue(),
        z.getYear());
  }

  /**
   * When the stored generation trigger of {@link #D} fires next after {@code t}, by its cron
   * expression and time zone (the trigger itself starts at the wall-clock time it was stored).
   */
  private static Instant nextFiring(Scheduler quartz, Instant t) throws Exception {
    CronTrigger trigger = (CronTrigger) quartz.getTrigger(RotationScheduler.generationKey(D));
    CronExpression cron = new CronExpression(trigger.getCronExpression());
    cron.setTimeZone(trigger.getTimeZone());
    return cron.getTimeAfter(Date.from(t)).toInstant();
  }

  private DkimKey keyMadeAt(Instant t, String selector, KeyState state) throws Exception {
    return new FileKeyStore(dir, Clock.fixed(t, ZoneOffset.UTC))
        .add(
            D,
            new Selector(selector),
            KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate(),
            state);
  }

  private List<DkimKey> keys(KeyState state) {
    try {
      return new FileKeyStore(dir, Clock.systemUTC())
          .list(D).stream().filter(k -> k.state() == state).toList();
    } catch (KeyStoreException e) {
      throw new AssertionError(e);
    }
  }

  private long generated() {
    synchronized (done) {
      return done.stream().filter(t -> t instanceof Transition.Publish).count();
    }
  }

  @Test
  void cronFiringGeneratesExactlyOnePendingKey() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-04-01T02:59:59Z"));
    keyMadeAt(Instant.parse("2026-01-01T03:00:00Z"), "s20260101e", KeyState.ACTIVE);
    Scheduler quartz = new StdSchedulerFactory(quartz()).getScheduler();
    RotationScheduler scheduler =
        new RotationScheduler(quartz, rotator(clock, QUARTERLY, k -> false), Duration.ofHours(1));
    open.add(scheduler);
    scheduler.start();
    await("the reconcile at start").until(() -> reconciles.get() >= 1);
    assertThat(keys(KeyState.PENDING)).as("nothing is due before the firing").isEmpty();

    // The stored cron trigger (UTC) is due at 03:00; the test fires it instead of the wall clock.
    Instant due = nextFiring(quartz, clock.instant());
    assertThat(due).isEqualTo(Instant.parse("2026-04-01T03:00:00Z"));
    clock.set(due);
    scheduler.fireGeneration(D, due);

    await("the schedule's firing").until(() -> reconciles.get() >= 2);
    assertThat(keys(KeyState.PENDING)).hasSize(1);
    assertThat(generated()).isEqualTo(1);
    assertThat(keys(KeyState.PENDING).get(0).created()).isEqualTo(due);
  }

  @Test
  void firingWithPendingKeyPresentGeneratesNothing() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-04-01T03:00:05Z"));
    keyMadeAt(Instant.parse("2026-01-01T03:00:00Z"), "s20260101e", KeyState.ACTIVE);
    Scheduler quartz = new StdSchedulerFactory(quartz()).getScheduler();
    RotationScheduler scheduler =
        new RotationScheduler(quartz, rotator(clock, QUARTERLY, k -> false), Duration.ofHours(1));
    open.add(scheduler);
    scheduler.start();
    // The reconcile at start catches up the 03:00 firing; the firing itself, run after it, and a
    // doubled one find its key PENDING.
    await("the reconcile at start").until(() -> reconciles.get() >= 1);
    Instant due = Instant.parse("2026-04-01T03:00:00Z");
    scheduler.fireGeneration(D, due);
    await("the firing").until(() -> reconciles.get() >= 2);
    clock.advance(Duration.ofSeconds(1));
    scheduler.fireGeneration(D, due);
    await("the doubled firing").until(() -> reconciles.get() >= 3);

    assertThat(keys(KeyState.PENDING)).hasSize(1);
    assertThat(generated()).isEqualTo(1);
  }

  @Test
  void restartAfterMissedFiringGeneratesExactlyOnce() throws Exception {
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(5);
    keyMadeAt(at.minus(Duration.ofHours(1)), "s20200101e", KeyState.ACTIVE);
    String cron = cronAt(at);
    // The job store as the previous process left it: the firing at `at` came while it was down.
    Scheduler quartz = new StdSchedulerFactory(quartz()).getScheduler();
    open.add(() -> quartz.shutdown(true));
    quartz.scheduleJob(
        RotationScheduler.generationJob(D),
        RotationScheduler.generationTrigger(D, cron, Date.from(at.minusSeconds(60))));

    RotationScheduler restarted =
        new RotationScheduler(
            quartz, rotator(Clock.systemUTC(), cron, k -> false), Duration.ofHours(1));
    restarted.start();

    // Both the misfire (fire once now) and the reconcile's catch-up run; one of them generates.
    await("the misfired firing")
        .until(() -> quartz.getTrigger(RotationScheduler.generationKey(D)) == null);
    await("the reconcile at start and the misfire").until(() -> reconciles.get() >= 2);
    assertThat(keys(KeyState.PENDING)).hasSize(1);
    assertThat(generated()).isEqualTo(1);
  }

  @Test
  void changedScheduleReplacesTheTriggerAndUnchangedKeepsIt() throws Exception {
    Scheduler quartz = new StdSchedulerFactory(quartz()).getScheduler(); // never started
    open.add(() -> quartz.shutdown(false));
    Clock clock = Clock.systemUTC();
    Date longAgo =
        Date.from(Instant.now().minus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS));
    quartz.scheduleJob(
        RotationScheduler.generationJob(D),
        RotationScheduler.generationTrigger(D, "0 0 3 1 1/3 ?", longAgo));

    new RotationScheduler(quartz, rotator(clock, "0 0 3 1 1/3 ?", k -> false), Duration.ofHours(1))
        .scheduleJobs();
    Trigger kept = quartz.getTrigger(RotationScheduler.generationKey(D));
    assertThat(kept.getStartTime()).as("same schedule: trigger kept").isEqualTo(longAgo);

    new RotationScheduler(quartz, rotator(clock, "0 30 4 * * ?", k -> false), Duration.ofHours(1))
        .scheduleJobs();
    CronTrigger replaced = (CronTrigger) quartz.getTrigger(RotationScheduler.generationKey(D));
    assertThat(replaced.getCronExpression()).isEqualTo("0 30 4 * * ?");
    assertThat(replaced.getTimeZone().getID()).isEqualTo("UTC");
    assertThat(replaced.getMisfireInstruction())
        .isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
    assertThat(replaced.getStartTime()).isAfter(longAgo);

    Rotator none =
        new Rotator(
            new Reconciler(
                new FileKeyStore(dir, clock),
                new KeyGenerator(new SecureRandom()),
                SelectorTemplate.DEFAULT,
                clock,
                k -> false),
            Map.of(),
            (d, t) -> {});
    new RotationScheduler(quartz, none, Duration.ofHours(1)).scheduleJobs();
    assertThat(quartz.checkExists(RotationScheduler.generationKey(D)))
        .as("a domain no longer configured loses its schedule")
        .isFalse();
  }

  @Test
  void reconcileJobActivatesPendingKeyOnceDnsShowsIt() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-22T03:00:00Z"));
    keyMadeAt(Instant.parse("2026-08-01T03:00:00Z"), "s20260801e", KeyState.ACTIVE);
    DkimKey pending = keyMadeAt(clock.instant(), "s20261122e", KeyState.PENDING);
    clock.advance(Duration.ofHours(73)); // prepublish over
    FakeDnsLookup dns = new FakeDnsLookup();

    started(
        rotator(clock, "0 0 3 1 1/3 ?", Reconciler.dnsView(new DnsChecker(dns))),
        Duration.ofMillis(100));
    await("two reconciles").until(() -> reconciles.get() >= 2);
    assertThat(keys(KeyState.PENDING)).extracting(DkimKey::selector).contains(pending.selector());

    dns.txt(pending.recordName(), pending.record().render());
    await("activation")
        .until(
            () -> {
              synchronized (done) {
                return done.stream().anyMatch(t -> t instanceof Transition.Activate);
              }
            });
    assertThat(List.copyOf(done))
        .extracting(Transition::describe)
        .containsExactly("activate " + pending.selector() + " of " + D);
    assertThat(keys(KeyState.ACTIVE))
        .extracting(DkimKey::selector)
        .containsExactly(pending.selector());
    assertThat(generated()).isZero();
  }
}
