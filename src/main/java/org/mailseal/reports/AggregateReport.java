// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One DMARC aggregate report (RFC 7489 appendix C, or the DMARCbis aggregate format), as a receiver
 * sent it: who reports, for which period, the policy it found published, and one {@link Row} per
 * group of messages from one source with the same results.
 *
 * <p>A report is known by its reporter and report id ({@link #key()}): the same report read twice
 * is one report.
 *
 * @param orgName {@code report_metadata/org_name}: the reporting organisation
 * @param email {@code report_metadata/email}, empty when missing
 * @param reportId {@code report_metadata/report_id}
 * @param begin {@code date_range/begin}
 * @param end {@code date_range/end}
 * @param policy {@code policy_published}
 * @param rows the {@code record} elements, in document order
 */
public record AggregateReport(
    String orgName,
    String email,
    String reportId,
    Instant begin,
    Instant end,
    PublishedPolicy policy,
    List<Row> rows) {

  public AggregateReport {
    orgName = nonBlank(orgName, "org_name");
    email = Objects.requireNonNull(email, "email");
    reportId = nonBlank(reportId, "report_id");
    Objects.requireNonNull(begin, "begin");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(begin)) {
      throw new IllegalArgumentException("date_range: end " + end + " before begin " + begin);
    }
    Objects.requireNonNull(policy, "policy");
    rows = List.copyOf(rows);
  }

  /** What makes two reports the same: the reporter and its report id. */
  public Key key() {
    return new Key(orgName, reportId);
  }

  /** The messages the report counts. */
  public long messages() {
    return rows.stream().mapToLong(Row::count).sum();
  }

  /** Identity of a report: its reporting organisation and the id that organisation gave it. */
  public record Key(String orgName, String reportId) {
    public Key {
      Objects.requireNonNull(orgName, "orgName");
      Objects.requireNonNull(reportId, "reportId");
    }
  }

  /**
   * The DMARC policy the receiver found.
   *
   * @param domain {@code policy_published/domain}, lower case
   * @param adkim {@code r} or {@code s} (r when missing)
   * @param aspf {@code r} or {@code s} (r when missing)
   * @param p {@code none}, {@code quarantine} or {@code reject}
   * @param sp subdomain policy, empty when missing
   * @param testing whether the policy was in test mode: DMARCbis {@code testing} is {@code y}, or
   *     RFC 7489 {@code pct} below 100
   */
  public record PublishedPolicy(
      String domain, String adkim, String aspf, String p, String sp, boolean testing) {
    public PublishedPolicy {
      domain = nonBlank(domain, "policy_published/domain").toLowerCase(Locale.ROOT);
      Objects.requireNonNull(adkim, "adkim");
      Objects.requireNonNull(aspf, "aspf");
      Objects.requireNonNull(p, "p");
      Objects.requireNonNull(sp, "sp");
    }
  }

  /**
   * One {@code record}: {@code count} messages from {@code sourceIp} with the same results.
   *
   * @param sourceIp {@code row/source_ip}, as {@link java.net.InetAddress#getHostAddress()} gives
   *     it
   * @param count {@code row/count}
   * @param disposition {@code policy_evaluated/disposition}
   * @param dkimEvaluated {@code policy_evaluated/dkim}: the receiver's DMARC DKIM result
   * @param spfEvaluated {@code policy_evaluated/spf}: the receiver's DMARC SPF result
   * @param headerFrom {@code identifiers/header_from}, lower case
   * @param envelopeFrom {@code identifiers/envelope_from}, empty when missing
   * @param dkim {@code auth_results/dkim}, possibly several, possibly none
   * @param spf {@code auth_results/spf}
   */
  public record Row(
      String sourceIp,
      long count,
      String disposition,
      String dkimEvaluated,
      String spfEvaluated,
      String headerFrom,
      String envelopeFrom,
      List<DkimResult> dkim,
      List<SpfResult> spf) {
    public Row {
      Objects.requireNonNull(sourceIp, "sourceIp");
      if (count < 0) {
        throw new IllegalArgumentException("count: negative: " + count);
      }
      Objects.requireNonNull(disposition, "disposition");
      Objects.requireNonNull(dkimEvaluated, "dkimEvaluated");
      Objects.requireNonNull(spfEvaluated, "spfEvaluated");
      headerFrom = headerFrom.toLowerCase(Locale.ROOT);
      Objects.requireNonNull(envelopeFrom, "envelopeFrom");
      dkim = List.copyOf(dkim);
      spf = List.copyOf(spf);
    }
  }

  /**
   * One {@code auth_results/dkim} entry.
   *
   * @param domain {@code d=}, lower case
   * @param selector {@code s=}, empty when the receiver did not report it (optional in RFC 7489)
   * @param result {@code pass}, {@code fail}, {@code none}, {@code neutral}, {@code policy}, {@code
   *     temperror} or {@code permerror}
   */
  public record DkimResult(String domain, String selector, String result) {
    public DkimResult {
      domain = domain.toLowerCase(Locale.ROOT);
      Objects.requireNonNull(selector, "selector");
      result = result.toLowerCase(Locale.ROOT);
    }

    public boolean pass() {
      return "pass".equals(result);
    }

    public Optional<String> selectorIfKnown() {
      return selector.isEmpty() ? Optional.empty() : Optional.of(selector);
    }
  }

  /**
   * One {@code auth_results/spf} entry.
   *
   * @param domain the domain SPF checked, lower case
   * @param scope {@code mfrom} or {@code helo}; {@code mfrom} when missing
   * @param result {@code pass}, {@code fail}, {@code softfail}, {@code neutral}, {@code none},
   *     {@code temperror} or {@code permerror}
   */
  public record SpfResult(String domain, String scope, String result) {
    public SpfResult {
      domain = domain.toLowerCase(Locale.ROOT);
      Objects.requireNonNull(scope, "scope");
      result = result.toLowerCase(Locale.ROOT);
    }

    public boolean pass() {
      return "pass".equals(result);
    }
  }

  private static String nonBlank(String v, String what) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(what + ": missing");
    }
    return v.strip();
  }
}
