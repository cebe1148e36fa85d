// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.time.Instant;
import java.util.List;

/**
 * Where the reports read are kept: files under {@code var/reports/} in the embedded default ({@link
 * FileReportStore}), PostgreSQL in cluster mode ({@link PgReportStore}), so every node sees the
 * same history. A report is stored once per {@link AggregateReport#key()}; every change is durable
 * when the method returns.
 */
public interface ReportStore {

  /** Stores {@code report}; false, and nothing changes, when a report with its key is there. */
  boolean add(AggregateReport report) throws ReportStoreException;

  /**
   * The reports about {@code domain} (their {@code policy_published/domain}) whose period overlaps
   * {@code [from, to)}, ordered by begin, then reporter and id.
   */
  List<AggregateReport> reports(String domain, Instant from, Instant to)
      throws ReportStoreException;

  /** The domains that have reports, sorted. */
  List<String> domains() throws ReportStoreException;
}
