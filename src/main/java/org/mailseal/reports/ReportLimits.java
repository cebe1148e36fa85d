// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

/**
 * How much one input may be before it is refused: a zip bomb or a 1 GB XML is set aside by these
 * limits, never by running out of memory. The XML is streamed, so only {@code maxRecords} bounds
 * the memory of one report.
 *
 * @param maxInputBytes bytes of one file or message as it arrives (compressed)
 * @param maxXmlBytes bytes of one report's XML once uncompressed
 * @param maxZipEntries entries in one zip archive
 * @param maxRecords {@code record} elements in one report
 * @param maxReportsPerInput reports in one input (zip entries, attachments)
 */
public record ReportLimits(
    long maxInputBytes,
    long maxXmlBytes,
    int maxZipEntries,
    int maxRecords,
    int maxReportsPerInput) {

  /** Limits well above what real receivers send (a large receiver's daily report is a few MB). */
  public static final ReportLimits DEFAULT =
      new ReportLimits(32L * 1024 * 1024, 64L * 1024 * 1024, 16, 100_000, 16);

  public ReportLimits {
    if (maxInputBytes < 1 || maxXmlBytes < 1 || maxZipEntries < 1 || maxRecords < 0) {
      throw new IllegalArgumentException("ReportLimits: limits must be positive");
    }
    if (maxReportsPerInput < 1) {
      throw new IllegalArgumentException("ReportLimits: maxReportsPerInput must be positive");
    }
  }
}
