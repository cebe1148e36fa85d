// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.testing.Waits.await;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mailseal.db.Database;
import org.mailseal.db.Migrator;
import org.mailseal.db.QuartzCluster;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyEncryptionKey;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.keys.PgKeyStore;
import org.mailseal.keys.Selector;
import org.mailseal.keys.SelectorTemplate;
import org.mailseal.submission.SigningKeys;
import org.mailseal.testing.PostgresServer;
import org.quartz.CronExpression;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;

/**
 * Issue 6's cluster: two nodes in one JVM, each with its own pool, {@link PgKeyStore}, {@link
 * Rotator} and {@link RotationScheduler} on Quartz's clustered JDBC job store (distinct instance
 * ids), over one PostgreSQL. A scheduled generation happens on one node only; once the new key is
 * activated, both nodes sign with it.
 */
@ExtendWith(PostgresServer.Extension.class)
class ClusterRotationTest {
  private static final String D = "example.com";
  private static final KeyEncryptionKey KEK =
      KeyEncryptionKey.parse("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");

  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<String> generatedBy = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger addAttempts = new AtomicInteger();

  /** Reconciles each node has finished, by node name. */
  private final Map<String, AtomicInteger> reconciled =
      new java.util.concurrent.ConcurrentHashMap<>();

  private String url;
  private PostgresServer pg;

  /** The system clock, moved forward by hand when a test needs days to pass. */
  static final class ShiftedClock extends Clock {
    private volatile Duration shift = Duration.ZERO;

    void advance(Duration d) {
      shift = shift.plus(d);
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(shift);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * A node's store that counts the keys it is asked to add, refused or not: a firing on both nodes
   * would show here even when the database refused the second key.
   */
  record CountingAdds(KeyStore store, AtomicInteger adds) implements KeyStore {
    @Override
    public List<DkimKey> list() throws KeyStoreException {
      return store.list();
    }

    @Override
    public List<DkimKey> list(String domain) throws KeyStoreException {
      return store.list(domain);
    }

    @Override
    public Optional<DkimKey> find(String domain, Selector selector) throws KeyStoreException {
      return store.find(domain, selector);
    }

    @Override
    public DkimKey add(String domain, Selector selector, PrivateKey key, KeyState state)
        throws KeyStoreException {
      adds.incrementAndGet();
      return store.add(domain, selector, key, state);
    }

    @Override
    public PrivateKey privateKey(String domain, Selector selector) throws KeyStoreException {
      return store.privateKey(domain, selector);
    }

    @Override
    public DkimKey transition(String domain, Selector selector, KeyState to)
        throws KeyStoreException {
      return store.transition(domain, selector, to);
    }
  }

  /** One relay of the cluster: its own pool, key store, rotation and signing view. */
  record Node(
      String id,
      PgKeyStore keys,
      Rotator rotator,
      SigningKeys signing,
      RotationScheduler scheduler,
      Scheduler quartz) {}

  @BeforeEach
  void database(PostgresServer pg) throws Exception {
    this.pg = pg;
    url = pg.createDatabase();
    new Migrator(pool()).migrate();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private HikariDataSource pool() throws Exception {
    HikariDataSource p = Database.open(url, pg.user(), Optional.empty(), 4, "node");
    open.add(p);
    return p;
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

  private Node node(String name, String cron, Clock clock) throws Exception {
    String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    HikariDataSource pool = pool();
    PgKeyStore keys = new PgKeyStore(pool, KEK, new SecureRandom(), clock);
    SigningKeys signing = new SigningKeys(keys, Set.of(D), clock, 64 * 1024);
    Reconciler reconciler =
        new Reconciler(
            new CountingAdds(keys, addAttempts),
            new KeyGenerator(new SecureRandom()),
            SelectorTemplate.DEFAULT,
            clock,
            k -> true);
    Rotator rotator =
        new Rotator(
            reconciler,
            Map.of(D, policy(cron)),
            (domain, done) -> {
              reconciled.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
              for (Transition t : done) {
                if (t instanceof Transition.Publish) {
                  generatedBy.add(name);
                }
              }
              signing.refresh();
            });
    RotationScheduler scheduler =
        new RotationScheduler(QuartzCluster.jobStore(pool, id), rotator, Duration.ofHours(1));
    // Quartz keeps one scheduler per name in a JVM-wide repository, and cluster nodes must share
    // the name: forget this node there so the next one can be built in the same JVM. It runs on.
    Scheduler quartz = SchedulerRepository.getInstance().lookup(QuartzCluster.CLUSTER_NAME);
    SchedulerRepository.getInstance().remove(QuartzCluster.CLUSTER_NAME);
    open.add(scheduler);
    scheduler.start();
    return new Node(id, keys, rotator, signing, scheduler, quartz);
  }

  @Test
  void aScheduledRotationHappensOnceAndBothNodesSignWithTheNewKey() throws Exception {
    ShiftedClock clock = new ShiftedClock();
    PgKeyStore admin = new PgKeyStore(pool(), KEK, new SecureRandom(), clock);
    DkimKey first =
        admin.add(
            D,
            new Selector("s20200101e"),
            new KeyGenerator(new SecureRandom()).generate(KeyAlgorithm.ED25519, 0).getPrivate(),
            KeyState.ACTIVE);
    Node one = node("one", QUARTERLY, clock);
    Node two = node("two", QUARTERLY, clock);
    assertThat(signingSelectors(one)).containsExactly(first.selector().value());
    assertThat(pending(admin)).as("nothing is due before the next quarter").isEmpty();

    // The next quarterly firing comes: the clock moves to it and the firing is stored in the
    // shared job store, as a cron firing is, while both nodes hold still; then both resume and
    // their Quartz threads compete for it.
    // Each node's start replaces the shared reconcile trigger with one that fires now; let the
    // last of those firings finish before the clock moves, or, run late, it would see the quarter
    // pass without its key and try to make one too (which the store refuses as a duplicate, but
    // the count below would see the attempt).
    TriggerKey reconcile = TriggerKey.triggerKey("reconcile", RotationScheduler.GROUP);
    await("the start-up reconcile")
        .until(
            () ->
                one.quartz().getTrigger(reconcile).getPreviousFireTime() != null
                    && reconciled.values().stream().mapToInt(AtomicInteger::get).sum() > 0
                    && one.quartz().getCurrentlyExecutingJobs().isEmpty()
                    && two.quartz().getCurrentlyExecutingJobs().isEmpty());
    CronExpression quarterly = new CronExpression(QUARTERLY);
    quarterly.setTimeZone(TimeZone.getTimeZone("UTC"));
    Instant at = quarterly.getTimeAfter(Date.from(clock.instant())).toInstant();
    clock.advance(Duration.between(clock.instant(), at));
    one.quartz().standby();
    two.quartz().standby();
    one.scheduler().fireGeneration(D, at);
    two.quartz().start();
    one.quartz().start();

    await("the scheduled generation").until(() -> pending(admin).size() == 1);
    // A second firing would show as a second key or a second Publish: wait until the stored
    // firing is done (Quartz deletes a one-shot trigger that ran) and neither node runs a job.
    await("the firing to be done on both nodes")
        .until(() -> firingDone(one) && firingDone(two) && generatedBy.size() == 1);
    assertThat(pending(admin)).hasSize(1);
    assertThat(generatedBy).hasSize(1);
    assertThat(addAttempts).as("keys the two nodes tried to add").hasValue(1);
    DkimKey next = pending(admin).get(0);
    assertThat(next.created()).isBetween(at, at.plusSeconds(60));

    // Three days later DNS shows it (the nodes' DNS view says yes to every key): one reconcile,
    // on node two, activates it, and the store retires the first key in the same write.
    clock.advance(Duration.ofHours(73));
    assertThat(two.rotator().reconcile(D))
        .extracting(t -> t.getClass().getSimpleName())
        .containsExactly("Activate");
    assertThat(admin.list(D))
        .extracting(k -> k.selector().value() + "=" + k.state())
        .containsExactly(
            first.selector().value() + "=RETIRED", next.selector().value() + "=ACTIVE");

    // Node one learns it from the database at its next refresh; both sign with the new key.
    one.signing().refresh();
    two.signing().refresh();
    for (Node n : List.of(one, two)) {
      assertThat(signingSelectors(n)).as(n.id()).containsExactly(next.selector().value());
      String signed =
          new String(
              n.signing()
                  .forFromDomain(D)
                  .orElseThrow()
                  .signer()
                  .sign(
                      ("From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nhello\r\n")
                          .getBytes(StandardCharsets.US_ASCII)),
              StandardCharsets.US_ASCII);
      assertThat(signed).as(n.id()).contains("s=" + next.selector().value() + ";");
    }
  }

  private static List<String> signingSelectors(Node n) throws KeyStoreException {
    n.signing().refresh();
    return n.signing().forFromDomain(D).orElseThrow().keys().stream()
        .map(k -> k.selector().value())
        .toList();
  }

  private static List<DkimKey> pending(PgKeyStore keys) {
    try {
      return keys.list(D).stream().filter(k -> k.state() == KeyState.PENDING).toList();
    } catch (KeyStoreException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Whether {@code n} holds no generation trigger but the cron one (the fired one ran and was
   * deleted from the shared store) and runs no job.
   */
  private static boolean firingDone(Node n) throws Exception {
    JobKey job = JobKey.jobKey("generate." + D, RotationScheduler.GROUP);
    return n.quartz().getTriggersOfJob(job).stream()
            .allMatch(t -> t.getKey().equals(RotationScheduler.generationKey(D)))
        && n.quartz().getCurrentlyExecutingJobs().isEmpty();
  }
}
