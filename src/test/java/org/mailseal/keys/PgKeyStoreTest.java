// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mailseal.db.Database;
import org.mailseal.db.Migrator;
import org.mailseal.testing.PostgresServer;

/** The {@link KeyStoreContract} on a real PostgreSQL, and what only the database store does. */
@ExtendWith(PostgresServer.Extension.class)
class PgKeyStoreTest extends KeyStoreContract {
  static final KeyEncryptionKey KEK =
      KeyEncryptionKey.parse("6d61696c7365616c2074657374206b65792d656e6372797074696f6e206b6579");

  private PostgresServer pg;
  private String url;
  private HikariDataSource shared;
  private final List<HikariDataSource> pools = new ArrayList<>();

  @BeforeEach
  void database(PostgresServer pg) throws Exception {
    this.pg = pg;
    url = pg.createDatabase();
    shared = pool();
    new Migrator(shared).migrate();
  }

  @AfterEach
  void closePools() {
    pools.forEach(HikariDataSource::close);
  }

  /** A pool of its own, as another node would have. */
  private HikariDataSource pool() throws Exception {
    HikariDataSource p = Database.open(url, pg.user(), Optional.empty(), 4, "test");
    pools.add(p);
    return p;
  }

  @Override
  PgKeyStore store(Instant now) throws Exception {
    return store(now, KEK);
  }

  private PgKeyStore store(Instant now, KeyEncryptionKey kek) throws Exception {
    return new PgKeyStore(shared, kek, new SecureRandom(), Clock.fixed(now, ZoneOffset.UTC));
  }

  /** The store of another node: its own pool. */
  private PgKeyStore node(Instant now) throws Exception {
    return new PgKeyStore(pool(), KEK, new SecureRandom(), Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void aWrongKeyEncryptionKeyIsRefusedWithAClearMessage() throws Exception {
    store(T0).add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.ACTIVE);
    byte[] other = new byte[32];
    Arrays.fill(other, (byte) 7);
    PgKeyStore wrong = store(T0, KeyEncryptionKey.of(other));
    // Listing needs no private key: a node with the wrong KEK still shows what there is.
    assertThat(wrong.list("example.com")).hasSize(1);
    assertThatThrownBy(() -> wrong.privateKey("example.com", new Selector("r1")))
        .isInstanceOf(KeyStoreException.Storage.class)
        .hasMessage(
            "cannot decrypt the private key r1 of example.com: the key-encryption key (cluster"
                + " kek-file or kek-env) is not the one it was stored with, or the row was altered")
        .hasNoCause();
  }

  @Test
  void theTableHoldsCiphertextNotThePkcs8Key() throws Exception {
    store(T0).add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.PENDING);
    byte[] stored = column("SELECT private_key FROM dkim_keys WHERE selector = 'r1'");
    byte[] pkcs8 = rsa1.getPrivate().getEncoded();
    assertThat(stored).hasSize(1 + 12 + pkcs8.length + 16);
    assertThat(stored[0]).isEqualTo((byte) 1);
    // No run of 16 bytes of the key's DER appears in what is stored.
    String storedText = new String(stored, StandardCharsets.ISO_8859_1);
    for (int i = 0; i + 16 <= pkcs8.length; i += 16) {
      assertThat(storedText).doesNotContain(new String(pkcs8, i, 16, StandardCharsets.ISO_8859_1));
    }
    assertThat(storedText).doesNotContain("PRIVATE");
  }

  @Test
  void aPrivateKeyCopiedToAnotherRowDoesNotDecrypt() throws Exception {
    PgKeyStore s = store(T0);
    s.add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.ACTIVE);
    s.add("example.com", new Selector("r2"), rsa2.getPrivate(), KeyState.PENDING);
    // Someone with write access to the table swaps in another row's ciphertext: the associated
    // data (domain and selector) makes it fail instead of signing with the wrong key.
    execute(
        "UPDATE dkim_keys SET private_key = (SELECT private_key FROM dkim_keys WHERE selector ="
            + " 'r1') WHERE selector = 'r2'");
    assertThatThrownBy(() -> s.privateKey("example.com", new Selector("r2")))
        .isInstanceOf(KeyStoreException.Storage.class)
        .hasMessageContaining("cannot decrypt the private key r2 of example.com");
    assertThat(s.privateKey("example.com", new Selector("r1")).getEncoded())
        .isEqualTo(rsa1.getPrivate().getEncoded());
  }

  @Test
  void twoNodesActivatingAtOnceLeaveExactlyOneActiveKey() throws Exception {
    PgKeyStore setup = store(T0);
    setup.add("example.com", new Selector("r0"), rsa1.getPrivate(), KeyState.ACTIVE);
    for (int round = 1; round <= 5; round++) {
      Selector a = new Selector("a" + round);
      Selector b = new Selector("b" + round);
      setup.add("example.com", a, rsa1.getPrivate(), KeyState.PENDING);
      setup.add("example.com", b, rsa2.getPrivate(), KeyState.PENDING);
      PgKeyStore node1 = node(T0.plus(Duration.ofHours(round)));
      PgKeyStore node2 = node(T0.plus(Duration.ofHours(round)));
      List<Callable<DkimKey>> both =
          List.of(
              () -> node1.transition("example.com", a, KeyState.ACTIVE),
              () -> node2.transition("example.com", b, KeyState.ACTIVE));
      for (Object result : runTogether(both)) {
        assertThat(result).isInstanceOf(DkimKey.class);
      }
      assertThat(setup.list("example.com"))
          .filteredOn(k -> k.state() == KeyState.ACTIVE)
          .extracting(k -> k.selector().value())
          .hasSize(1)
          .containsAnyOf(a.value(), b.value());
      // Both activated in turn: the first one was retired by the second.
      assertThat(setup.find("example.com", a).orElseThrow().state())
          .isIn(KeyState.ACTIVE, KeyState.RETIRED);
    }
  }

  @Test
  void twoNodesActivatingTheSameKeyAtOnceSucceedOnce() throws Exception {
    PgKeyStore setup = store(T0);
    setup.add("example.com", new Selector("r0"), rsa1.getPrivate(), KeyState.ACTIVE);
    setup.add("example.com", new Selector("r1"), rsa2.getPrivate(), KeyState.PENDING);
    PgKeyStore node1 = node(T0);
    PgKeyStore node2 = node(T0);
    List<Object> results =
        runTogether(
            List.of(
                () -> node1.transition("example.com", new Selector("r1"), KeyState.ACTIVE),
                () -> node2.transition("example.com", new Selector("r1"), KeyState.ACTIVE)));
    assertThat(results).filteredOn(r -> r instanceof DkimKey).hasSize(1);
    assertThat(results)
        .filteredOn(r -> r instanceof KeyStoreException.IllegalTransition)
        .hasSize(1);
  }

  @Test
  void anUnreachableDatabaseIsAStorageError() throws Exception {
    HikariDataSource p = pool();
    PgKeyStore s = new PgKeyStore(p, KEK, new SecureRandom(), Clock.systemUTC());
    p.close();
    assertThatThrownBy(() -> s.list("example.com"))
        .isInstanceOf(KeyStoreException.Storage.class)
        .hasMessageStartingWith("cannot list keys of example.com: database: ");
  }

  /** Runs the calls at the same moment; each result is its value or its exception. */
  private static List<Object> runTogether(List<Callable<DkimKey>> calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Object>> futures = new ArrayList<>();
      for (Callable<DkimKey> call : calls) {
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    return (Object) call.call();
                  } catch (KeyStoreException e) {
                    return e;
                  }
                }));
      }
      go.countDown();
      List<Object> results = new ArrayList<>();
      for (Future<Object> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private byte[] column(String sql) throws Exception {
    try (Connection c = shared.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      assertThat(r.next()).isTrue();
      return r.getBytes(1);
    }
  }

  private void execute(String sql) throws Exception {
    try (Connection c = shared.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
