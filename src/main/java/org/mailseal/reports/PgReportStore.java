// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Reports in PostgreSQL for cluster mode, in the {@code dmarc_reports} table that {@link
 * org.mailseal.db.Migrator} creates: one row per report, keyed by reporter and report id, with the
 * report as JSON. {@code INSERT ... ON CONFLICT DO NOTHING} makes two nodes reading the same report
 * at once store it once.
 */
public final class PgReportStore implements ReportStore {
  private final DataSource db;
  private final Clock clock;

  public PgReportStore(DataSource db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public boolean add(AggregateReport r) throws ReportStoreException {
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO dmarc_reports (org_name, report_id, domain, begin_at, end_at,"
                    + " messages, report, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (org_name, report_id) DO NOTHING")) {
      s.setString(1, r.orgName());
      s.setString(2, r.reportId());
      s.setString(3, r.policy().domain());
      s.setTimestamp(4, Timestamp.from(r.begin()));
      s.setTimestamp(5, Timestamp.from(r.end()));
      s.setLong(6, r.messages());
      s.setString(7, ReportCodec.string(r));
      s.setTimestamp(8, Timestamp.from(clock.instant()));
      return s.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new ReportStoreException("cannot store report: " + e.getMessage(), e);
    }
  }

  @Override
  public List<AggregateReport> reports(String domain, Instant from, Instant to)
      throws ReportStoreException {
    List<AggregateReport> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT report FROM dmarc_reports WHERE domain = ? AND begin_at < ? AND end_at > ?"
                    + " ORDER BY begin_at, org_name, report_id")) {
      s.setString(1, domain);
      s.setTimestamp(2, Timestamp.from(to));
      s.setTimestamp(3, Timestamp.from(from));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(ReportCodec.decode(rs.getString(1).getBytes(StandardCharsets.UTF_8)));
        }
      }
    } catch (SQLException | IOException e) {
      throw new ReportStoreException("cannot read reports of " + domain + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public List<String> domains() throws ReportStoreException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT DISTINCT domain FROM dmarc_reports ORDER BY domain");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new ReportStoreException("cannot list report domains: " + e.getMessage(), e);
    }
    return out;
  }
}
