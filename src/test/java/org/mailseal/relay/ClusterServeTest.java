// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.cli.ClusterKeysCommandTest;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.testing.PostgresServer;
import org.mailseal.testing.TestCertificate;

/** {@code serve} in cluster mode: nodes share their keys through the database. */
@ExtendWith(PostgresServer.Extension.class)
class ClusterServeTest {
  @TempDir Path dir;
  private String database;
  private PostgresServer pg;
  private final List<Relay> started = new ArrayList<>();

  @BeforeEach
  void clusterDatabase(PostgresServer pg) throws Exception {
    this.pg = pg;
    database = pg.createDatabase();
    Files.writeString(dir.resolve("kek"), ClusterKeysCommandTest.KEK + "\n");
  }

  @AfterEach
  void stopNodes() {
    started.forEach(Relay::stop);
  }

  /** The configuration of node {@code name}: its own directories and ports, the shared database. */
  private MailsealConfig node(String name, Path kek) throws Exception {
    Path home = Files.createDirectories(dir.resolve(name));
    Path yaml = home.resolve("mailseal.yaml");
    Files.writeString(
        yaml,
        String.join(
            "\n",
            "server:",
            "  hostname: " + name + ".example.com",
            "tls:",
            "  self-signed-directory: " + home.resolve("tls"),
            "listeners:",
            "  submission: {address: 127.0.0.1, port: 0}",
            "  submissions: {address: 127.0.0.1, port: 0}",
            "users:",
            "  file: " + home.resolve("users.yaml"),
            "keys:",
            "  directory: " + home.resolve("keys"),
            "  dns-export: " + home.resolve("dns"),
            "spool:",
            "  directory: " + home.resolve("spool"),
            "delivery:",
            "  route: file",
            "  file: {directory: " + home.resolve("outbox") + "}",
            "admin: {enabled: false}",
            "cluster:",
            "  database: " + database,
            "  username: " + pg.user(),
            "  kek-file: " + kek,
            "  pool-size: 2",
            "domains:",
            "  example.com: {algorithms: [ed25519]}",
            ""));
    MailsealConfig config = ConfigLoader.load(yaml);
    TestCertificate.placeAsSelfSigned(config.tls().selfSignedDirectory());
    return config;
  }

  private Relay relay(MailsealConfig config) {
    Relay w = new Relay(config, new PrintWriter(new StringWriter()));
    started.add(w);
    return w;
  }

  @Test
  void nodesStartingTogetherOnAnEmptyDatabaseMakeOneFirstKey() throws Exception {
    List<Relay> nodes =
        List.of(relay(node("one", dir.resolve("kek"))), relay(node("two", dir.resolve("kek"))));
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Void>> starts = new ArrayList<>();
      for (Relay w : nodes) {
        starts.add(
            threads.submit(
                () -> {
                  go.await();
                  w.start();
                  return null;
                }));
      }
      go.countDown();
      int quartzRefused = 0;
      for (Future<Void> f : starts) {
        try {
          f.get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          // Quartz keeps one scheduler per name in a JVM, and cluster nodes share the name, so in
          // one test JVM the second node's rotation scheduler is refused. Its keys were
          // bootstrapped before that (what this test is about); real nodes are separate processes.
          assertThat(e.getCause().getMessage()).containsAnyOf("already runs", "already exists");
          quartzRefused++;
        }
      }
      assertThat(quartzRefused).isLessThanOrEqualTo(1);
    } finally {
      threads.shutdownNow();
    }
    List<DkimKey> keys = keysIn(node("reader", dir.resolve("kek")));
    assertThat(keys).hasSize(1);
    assertThat(keys.get(0).state()).isEqualTo(KeyState.ACTIVE);
    assertThat(dir.resolve("one/keys")).doesNotExist();
    // What the rotation scheduler is given: Quartz's clustered job store, one name, own ids.
    Properties one = nodes.get(0).rotationQuartz();
    Properties two = nodes.get(1).rotationQuartz();
    assertThat(one)
        .containsEntry("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX")
        .containsEntry(
            "org.quartz.jobStore.driverDelegateClass",
            "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate")
        .containsEntry("org.quartz.jobStore.isClustered", "true")
        .containsEntry("org.quartz.scheduler.instanceName", "mailseal-rotation");
    assertThat(one.getProperty("org.quartz.scheduler.instanceId"))
        .isNotEqualTo(two.getProperty("org.quartz.scheduler.instanceId"));
  }

  @Test
  void aNodeWithAnotherKekRefusesToStartWithOneClearReason() throws Exception {
    relay(node("one", dir.resolve("kek"))).start();
    Path other = dir.resolve("other-kek");
    Files.writeString(other, "A".repeat(43) + "=\n");
    Relay wrong = relay(node("two", other));
    assertThatThrownBy(wrong::start)
        .isInstanceOf(RelayException.class)
        .hasCauseInstanceOf(KeyStoreException.Storage.class)
        .hasMessageMatching(
            "cannot start: cannot decrypt the private key s\\d{8}e of example.com: the key-encryption key"
                + " \\(cluster kek-file or kek-env\\) is not the one it was stored with, or the row"
                + " was altered");
  }

  private static List<DkimKey> keysIn(MailsealConfig config) throws Exception {
    try (Cluster c =
        Cluster.open(config.cluster().orElseThrow(), Clock.systemUTC(), new SecureRandom())) {
      return c.keys().list("example.com");
    }
  }
}
