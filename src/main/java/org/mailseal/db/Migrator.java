// SPDX-License-Identifier: Apache-2.0
package org.mailseal.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the database schema to the version this build needs: the scripts of {@link #STEPS}, in
 * order, each applied once and recorded in {@code schema_version}.
 *
 * <p>Each step is one transaction that first takes a PostgreSQL advisory lock ({@code
 * pg_advisory_xact_lock}), then looks at {@code schema_version}: nodes starting together take
 * turns, and the later ones find the step done. A step that fails leaves nothing behind (PostgreSQL
 * DDL is transactional). A database at a newer version than this build knows is refused, so an old
 * node never runs against a schema it does not understand.
 */
public final class Migrator {
  private static final Logger log = LoggerFactory.getLogger(Migrator.class);

  /** The advisory lock key: "mailseal" in ASCII, so other users of advisory locks stay clear. */
  static final long LOCK = 0x6d61696c7365616cL;

  /** Where Quartz keeps its PostgreSQL DDL, inside its jar. */
  static final String QUARTZ_DDL = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";

  /**
   * One version of the schema.
   *
   * @param version the number, from 1, without gaps
   * @param description what it adds, for {@code schema_version}
   * @param resource the script on the class path
   */
  public record Step(int version, String description, String resource) {}

  /** Every step, in order; a new script is added here and under {@code db/migration/}. */
  public static final List<Step> STEPS =
      List.of(
          new Step(1, "keys", "db/migration/V1__keys.sql"),
          // Quartz's own DDL for its clustered job store, as the quartz jar we run with ships it.
          new Step(2, "quartz job store", QUARTZ_DDL),
          new Step(3, "dmarc reports", "db/migration/V3__dmarc_reports.sql"));

  private final DataSource db;
  private final List<Step> steps;

  public Migrator(DataSource db) {
    this(db, STEPS);
  }

  Migrator(DataSource db, List<Step> steps) {
    this.db = db;
    this.steps = List.copyOf(steps);
  }

  /** Applies every step not yet applied; returns the versions it applied. */
  public List<Integer> migrate() throws DatabaseException {
    List<Integer> applied = new ArrayList<>();
    for (Step step : steps) {
      String script = script(step);
      try (Connection c = db.getConnection()) {
        c.setAutoCommit(false);
        try {
          if (apply(c, step, script)) {
            applied.add(step.version());
          }
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        throw new DatabaseException(
            "cannot migrate the database to version "
                + step.version()
                + " ("
                + step.description()
                + "): "
                + e.getMessage(),
            e);
      }
    }
    return applied;
  }

  /** The version the database is at: 0 when it has none yet. */
  public int version() throws DatabaseException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
      r.next();
      return r.getInt(1);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return 0; // undefined table
      }
      throw new DatabaseException("cannot read the schema version: " + e.getMessage(), e);
    }
  }

  private boolean apply(Connection c, Step step, String script)
      throws SQLException, DatabaseException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
      s.execute(
          "CREATE TABLE IF NOT EXISTS schema_version ("
              + " version INTEGER PRIMARY KEY,"
              + " description TEXT NOT NULL,"
              + " checksum TEXT NOT NULL,"
              + " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      try (ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
        r.next();
        int newest = steps.get(steps.size() - 1).version();
        if (r.getInt(1) > newest) {
          throw new DatabaseException(
              "the database schema is at version "
                  + r.getInt(1)
                  + ", newer than this mailseal knows ("
                  + newest
                  + "): upgrade this node",
              null);
        }
      }
    }
    String checksum = sha256(script);
    try (PreparedStatement q =
        c.prepareStatement("SELECT checksum FROM schema_version WHERE version = ?")) {
      q.setInt(1, step.version());
      try (ResultSet r = q.executeQuery()) {
        if (r.next()) {
          if (!r.getString(1).equals(checksum)) {
            log.warn(
                "schema step changed since it was applied, not applied again version={}"
                    + " resource={}",
                step.version(),
                step.resource());
          }
          return false;
        }
      }
    }
    try (Statement s = c.createStatement()) {
      for (String sql : statements(script)) {
        s.execute(sql);
      }
    }
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO schema_version (version, description, checksum) VALUES (?, ?, ?)")) {
      ins.setInt(1, step.version());
      ins.setString(2, step.description());
      ins.setString(3, checksum);
      ins.executeUpdate();
    }
    log.info("schema migrated version={} description=\"{}\"", step.version(), step.description());
    return true;
  }

  /**
   * The statements of a script: {@code --} comment lines dropped, split at {@code ;} at the end of
   * a line, and a {@code COMMIT} left out (the step is our transaction). Enough for our scripts and
   * Quartz's, which have no functions or strings with semicolons.
   */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String t = line.strip();
      if (t.startsWith("--") || t.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (t.endsWith(";")) {
        String sql = current.toString().strip();
        sql = sql.substring(0, sql.length() - 1).strip();
        if (!sql.equalsIgnoreCase("COMMIT")) {
          out.add(sql);
        }
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }

  private static String script(Step step) throws DatabaseException {
    try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(step.resource())) {
      if (in == null) {
        throw new DatabaseException(
            "schema step " + step.version() + ": " + step.resource() + " not on the class path",
            null);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new DatabaseException("cannot read " + step.resource() + ": " + e.getMessage(), e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }
}
