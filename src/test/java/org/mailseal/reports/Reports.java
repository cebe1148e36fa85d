// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mailseal.reports.AggregateReport.DkimResult;
import org.mailseal.reports.AggregateReport.PublishedPolicy;
import org.mailseal.reports.AggregateReport.Row;
import org.mailseal.reports.AggregateReport.SpfResult;

/** Reports for tests: built as values, or written as RFC 7489 XML. */
final class Reports {
  private Reports() {}

  static AggregateReport report(String org, String id, Instant begin, String p, Row... rows) {
    return new AggregateReport(
        org,
        "dmarc@" + org,
        id,
        begin,
        begin.plusSeconds(86_399),
        new PublishedPolicy("example.com", "r", "r", p, "", false),
        List.of(rows));
  }

  static Row row(String ip, long count, List<DkimResult> dkim, List<SpfResult> spf) {
    boolean dkimPass = dkim.stream().anyMatch(d -> d.pass() && d.domain().equals("example.com"));
    boolean spfPass = spf.stream().anyMatch(s -> s.pass() && s.domain().equals("example.com"));
    return new Row(
        ip,
        count,
        "none",
        dkimPass ? "pass" : "fail",
        spfPass ? "pass" : "fail",
        "example.com",
        "",
        dkim,
        spf);
  }

  static DkimResult dkim(String domain, String selector, String result) {
    return new DkimResult(domain, selector, result);
  }

  static SpfResult spf(String domain, String result) {
    return new SpfResult(domain, "mfrom", result);
  }

  /** {@code r} as a receiver would send it (RFC 7489 appendix C). */
  static String xml(AggregateReport r) {
    StringBuilder b = new StringBuilder();
    b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n  <report_metadata>\n")
        .append("    <org_name>")
        .append(r.orgName())
        .append("</org_name>\n")
        .append("    <email>")
        .append(r.email())
        .append("</email>\n")
        .append("    <report_id>")
        .append(r.reportId())
        .append("</report_id>\n")
        .append("    <date_range><begin>")
        .append(r.begin().getEpochSecond())
        .append("</begin><end>")
        .append(r.end().getEpochSecond())
        .append("</end></date_range>\n")
        .append("  </report_metadata>\n  <policy_published>\n")
        .append("    <domain>")
        .append(r.policy().domain())
        .append("</domain>\n")
        .append("    <adkim>")
        .append(r.policy().adkim())
        .append("</adkim>\n")
        .append("    <aspf>")
        .append(r.policy().aspf())
        .append("</aspf>\n")
        .append("    <p>")
        .append(r.policy().p())
        .append("</p>\n")
        .append("    <pct>")
        .append(r.policy().testing() ? 0 : 100)
        .append("</pct>\n")
        .append("  </policy_published>\n");
    for (Row row : r.rows()) {
      b.append("  <record>\n    <row>\n")
          .append("      <source_ip>")
          .append(row.sourceIp())
          .append("</source_ip>\n")
          .append("      <count>")
          .append(row.count())
          .append("</count>\n")
          .append("      <policy_evaluated><disposition>")
          .append(row.disposition())
          .append("</disposition><dkim>")
          .append(row.dkimEvaluated())
          .append("</dkim><spf>")
          .append(row.spfEvaluated())
          .append("</spf></policy_evaluated>\n")
          .append("    </row>\n    <identifiers><header_from>")
          .append(row.headerFrom())
          .append("</header_from></identifiers>\n    <auth_results>\n");
      for (DkimResult d : row.dkim()) {
        b.append("      <dkim><domain>")
            .append(d.domain())
            .append("</domain><selector>")
            .append(d.selector())
            .append("</selector><result>")
            .append(d.result())
            .append("</result></dkim>\n");
      }
      for (SpfResult s : row.spf()) {
        b.append("      <spf><domain>")
            .append(s.domain())
            .append("</domain><scope>")
            .append(s.scope())
            .append("</scope><result>")
            .append(s.result())
            .append("</result></spf>\n");
      }
      b.append("    </auth_results>\n  </record>\n");
    }
    return b.append("</feedback>\n").toString();
  }

  static List<AggregateReport> days(
      int n, Instant first, java.util.function.IntFunction<AggregateReport> day) {
    List<AggregateReport> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(day.apply(i));
    }
    return out;
  }
}
