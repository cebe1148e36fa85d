// SPDX-License-Identifier: Apache-2.0
package org.mailseal.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mailseal.testing.PostgresServer;

@ExtendWith(PostgresServer.Extension.class)
class MigratorTest {
  private final List<HikariDataSource> pools = new ArrayList<>();
  private PostgresServer pg;
  private String url;

  @BeforeEach
  void database(PostgresServer pg) throws Exception {
    this.pg = pg;
    url = pg.createDatabase();
  }

  @AfterEach
  void closePools() {
    pools.forEach(HikariDataSource::close);
  }

  private HikariDataSource pool() throws Exception {
    HikariDataSource p = Database.open(url, pg.user(), Optional.empty(), 2, "test");
    pools.add(p);
    return p;
  }

  @Test
  void migratingTwiceAppliesEachStepOnce() throws Exception {
    Migrator m = new Migrator(pool());
    assertThat(m.version()).isZero();
    assertThat(m.migrate()).containsExactly(1, 2, 3);
    assertThat(m.migrate()).isEmpty();
    assertThat(m.version()).isEqualTo(3);
    assertThat(strings("SELECT description FROM schema_version ORDER BY version"))
        .containsExactly("keys", "quartz job store", "dmarc reports");
  }

  @Test
  void quartzTablesComeFromTheQuartzJar() throws Exception {
    new Migrator(pool()).migrate();
    assertThat(
            strings(
                "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'qrtz%'"
                    + " ORDER BY table_name"))
        .contains(
            "qrtz_cron_triggers",
            "qrtz_fired_triggers",
            "qrtz_job_details",
            "qrtz_locks",
            "qrtz_scheduler_state",
            "qrtz_triggers");
  }

  @Test
  void nodesStartingTogetherApplyEachStepOnce() throws Exception {
    int nodes = 4;
    List<Migrator> migrators = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      migrators.add(new Migrator(pool()));
    }
    ExecutorService threads = Executors.newFixedThreadPool(nodes);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<Integer>>> results = new ArrayList<>();
      for (Migrator m : migrators) {
        results.add(
            threads.submit(
                () -> {
                  go.await();
                  return m.migrate();
                }));
      }
      go.countDown();
      List<Integer> applied = new ArrayList<>();
      for (Future<List<Integer>> f : results) {
        applied.addAll(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(applied).containsExactlyInAnyOrder(1, 2, 3);
    } finally {
      threads.shutdownNow();
    }
    assertThat(strings("SELECT version::text FROM schema_version ORDER BY version"))
        .containsExactly("1", "2", "3");
  }

  @Test
  void aFailingStepLeavesNothingBehind() throws Exception {
    Migrator bad =
        new Migrator(
            pool(),
            List.of(
                new Migrator.Step(1, "keys", "db/migration/V1__keys.sql"),
                new Migrator.Step(2, "broken", "db/broken.sql")));
    assertThatThrownBy(bad::migrate)
        .isInstanceOf(DatabaseException.class)
        .hasMessageStartingWith("cannot migrate the database to version 2 (broken): ");
    assertThat(bad.version()).isEqualTo(1);
    assertThat(
            strings("SELECT table_name FROM information_schema.tables WHERE table_name = 'half'"))
        .isEmpty();
  }

  @Test
  void aNewerSchemaIsRefused() throws Exception {
    Migrator m = new Migrator(pool());
    m.migrate();
    execute("INSERT INTO schema_version (version, description, checksum) VALUES (9, 'x', 'x')");
    assertThatThrownBy(m::migrate)
        .isInstanceOf(DatabaseException.class)
        .hasMessageContaining(
            "the database schema is at version 9, newer than this mailseal knows (3): upgrade"
                + " this node");
  }

  @Test
  void everyScriptUnderDbMigrationIsAStep() throws URISyntaxException, Exception {
    Path dir = Path.of(Migrator.class.getClassLoader().getResource("db/migration").toURI());
    List<String> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.map(p -> "db/migration/" + p.getFileName()).sorted().toList();
    }
    assertThat(Migrator.STEPS)
        .extracting(Migrator.Step::resource)
        .filteredOn(r -> r.startsWith("db/migration/"))
        .containsExactlyElementsOf(files);
    for (int i = 0; i < Migrator.STEPS.size(); i++) {
      Migrator.Step step = Migrator.STEPS.get(i);
      assertThat(step.version()).isEqualTo(i + 1);
      if (step.resource().startsWith("db/migration/")) {
        assertThat(step.resource()).startsWith("db/migration/V" + step.version() + "__");
      }
    }
  }

  @Test
  void scriptsSplitIntoStatementsWithoutCommentsOrCommit() {
    assertThat(
            Migrator.statements(
                "-- a comment; with a semicolon\nCREATE TABLE a (\n  x INT\n);\n\n"
                    + "CREATE INDEX i ON a (x);\nCOMMIT;\n"))
        .containsExactly("CREATE TABLE a (\n  x INT\n)", "CREATE INDEX i ON a (x)");
  }

  private List<String> strings(String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = pool().getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }

  private void execute(String sql) throws Exception {
    try (Connection c = pool().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
