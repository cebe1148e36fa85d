// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mailseal.db.Database;
import org.mailseal.db.Migrator;
import org.mailseal.testing.PostgresServer;

/** The {@link ReportStoreContract} on a real PostgreSQL, in the table the migrations create. */
@ExtendWith(PostgresServer.Extension.class)
class PgReportStoreTest extends ReportStoreContract {
  private final List<HikariDataSource> pools = new ArrayList<>();
  private HikariDataSource pool;

  @BeforeEach
  void database(PostgresServer pg) throws Exception {
    pool = Database.open(pg.createDatabase(), pg.user(), Optional.empty(), 2, "test");
    pools.add(pool);
    new Migrator(pool).migrate();
  }

  @AfterEach
  void close() {
    pools.forEach(HikariDataSource::close);
  }

  @Override
  ReportStore store() {
    return new PgReportStore(
        pool, Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC));
  }
}
