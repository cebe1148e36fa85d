// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mailseal.reports.AggregateReport.DkimResult;
import org.mailseal.reports.AggregateReport.PublishedPolicy;
import org.mailseal.reports.AggregateReport.Row;
import org.mailseal.reports.AggregateReport.SpfResult;

/**
 * A stored report as JSON: what was read, not the receiver's XML, in a format of our own ({@code
 * "format": 1}) that both stores keep, so a file moved into the database reads the same.
 */
final class ReportCodec {
  static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReportCodec() {}

  static byte[] encode(AggregateReport r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("org", r.orgName());
    o.put("email", r.email());
    o.put("id", r.reportId());
    o.put("begin", r.begin().getEpochSecond());
    o.put("end", r.end().getEpochSecond());
    ObjectNode p = o.putObject("policy");
    PublishedPolicy pp = r.policy();
    p.put("domain", pp.domain());
    p.put("adkim", pp.adkim());
    p.put("aspf", pp.aspf());
    p.put("p", pp.p());
    p.put("sp", pp.sp());
    p.put("testing", pp.testing());
    ArrayNode rows = o.putArray("rows");
    for (Row row : r.rows()) {
      ObjectNode n = rows.addObject();
      n.put("ip", row.sourceIp());
      n.put("count", row.count());
      n.put("disposition", row.disposition());
      n.put("dkimEvaluated", row.dkimEvaluated());
      n.put("spfEvaluated", row.spfEvaluated());
      n.put("headerFrom", row.headerFrom());
      n.put("envelopeFrom", row.envelopeFrom());
      ArrayNode dkim = n.putArray("dkim");
      for (DkimResult d : row.dkim()) {
        dkim.addObject()
            .put("domain", d.domain())
            .put("selector", d.selector())
            .put("result", d.result());
      }
      ArrayNode spf = n.putArray("spf");
      for (SpfResult s : row.spf()) {
        spf.addObject().put("domain", s.domain()).put("scope", s.scope()).put("result", s.result());
      }
    }
    try {
      return JSON.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException("JSON of a report", e);
    }
  }

  static AggregateReport decode(byte[] json) throws IOException {
    JsonNode o = JSON.readTree(json);
    if (o == null || o.path("format").asInt() != FORMAT) {
      throw new IOException("not a stored report of format " + FORMAT);
    }
    try {
      JsonNode p = o.path("policy");
      List<Row> rows = new ArrayList<>();
      for (JsonNode n : o.path("rows")) {
        List<DkimResult> dkim = new ArrayList<>();
        for (JsonNode d : n.path("dkim")) {
          dkim.add(new DkimResult(text(d, "domain"), text(d, "selector"), text(d, "result")));
        }
        List<SpfResult> spf = new ArrayList<>();
        for (JsonNode s : n.path("spf")) {
          spf.add(new SpfResult(text(s, "domain"), text(s, "scope"), text(s, "result")));
        }
        rows.add(
            new Row(
                text(n, "ip"),
                n.path("count").asLong(),
                text(n, "disposition"),
                text(n, "dkimEvaluated"),
                text(n, "spfEvaluated"),
                text(n, "headerFrom"),
                text(n, "envelopeFrom"),
                dkim,
                spf));
      }
      return new AggregateReport(
          text(o, "org"),
          text(o, "email"),
          text(o, "id"),
          Instant.ofEpochSecond(o.path("begin").asLong()),
          Instant.ofEpochSecond(o.path("end").asLong()),
          new PublishedPolicy(
              text(p, "domain"),
              text(p, "adkim"),
              text(p, "aspf"),
              text(p, "p"),
              text(p, "sp"),
              p.path("testing").asBoolean()),
          rows);
    } catch (RuntimeException e) {
      throw new IOException("damaged stored report: " + e.getMessage(), e);
    }
  }

  static String string(AggregateReport r) {
    return new String(encode(r), StandardCharsets.UTF_8);
  }

  private static String text(JsonNode n, String field) throws IOException {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IOException("damaged stored report: no " + field);
    }
    return v.asText();
  }
}
