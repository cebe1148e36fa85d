// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link DomainReport} for people (a table) and for programs (JSON). Built from the data alone,
 * so the advice printed is the advice the classification carries.
 */
public final class ReportText {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportText() {}

  /** The table: a header line, one line per source, what to do per kind, the verdict. */
  public static String table(DomainReport r) {
    StringBuilder b = new StringBuilder();
    b.append(r.domain())
        .append(", ")
        .append(LocalDate.ofInstant(r.from(), ZoneOffset.UTC))
        .append(" to ")
        .append(LocalDate.ofInstant(r.to(), ZoneOffset.UTC))
        .append(": ")
        .append(r.reports())
        .append(r.reports() == 1 ? " report, " : " reports, ")
        .append(r.messages())
        .append(r.messages() == 1 ? " message, " : " messages, ")
        .append(Ramp.percent(r.alignedShare()))
        .append(" of non-forged mail aligned");
    if (r.forged() > 0) {
      b.append(" (").append(r.forged()).append(" likely forged left out)");
    }
    b.append('\n');
    if (!r.sources().isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {"SOURCE", "REVERSE NAME", "MESSAGES", "ALIGNED", "REPORTED BY", "CLASS"});
      for (SourceReport s : r.sources()) {
        rows.add(
            new String[] {
              s.ip(),
              s.reverseName().isEmpty() ? "-" : s.reverseName(),
              Long.toString(s.messages()),
              Long.toString(s.aligned()),
              String.join(",", s.orgs()),
              label(s.classification()) + ": " + s.classification().evidence()
            });
      }
      int[] width = new int[6];
      for (String[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          width[i] = Math.max(width[i], row[i].length());
        }
      }
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
          boolean number = i == 2 || i == 3;
          String cell = row[i];
          String pad = " ".repeat(width[i] - cell.length());
          line.append(number ? pad + cell : i == row.length - 1 ? cell : cell + pad);
          if (i < row.length - 1) {
            line.append("  ");
          }
        }
        b.append(line.toString().stripTrailing()).append('\n');
      }
      Map<String, String> advice = new LinkedHashMap<>();
      for (SourceReport s : r.sources()) {
        advice.putIfAbsent(label(s.classification()), s.classification().advice());
      }
      b.append('\n');
      advice.forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
    }
    b.append('\n');
    r.verdict().current().ifPresent(c -> b.append("published: ").append(c).append('\n'));
    b.append("verdict: ").append(r.verdict().summary()).append('\n');
    return b.toString();
  }

  /** The class as the table shows it: kind, and the hint of an unaligned source. */
  static String label(Classification c) {
    if (c instanceof Classification.Unaligned u) {
      return c.kind() + " (" + u.hint().label() + ")";
    }
    return c.kind();
  }

  /** The same as JSON, for scripts and dashboards. */
  public static String json(DomainReport r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("domain", r.domain());
    o.put("from", r.from().toString());
    o.put("to", r.to().toString());
    o.put("reports", r.reports());
    o.put("messages", r.messages());
    o.put("aligned", r.aligned());
    o.put("forged", r.forged());
    o.put("alignedShare", r.alignedShare());
    ArrayNode sources = o.putArray("sources");
    for (SourceReport s : r.sources()) {
      ObjectNode n = sources.addObject();
      n.put("ip", s.ip());
      n.put("reverseName", s.reverseName());
      s.orgs().forEach(n.putArray("reportedBy")::add);
      n.put("messages", s.messages());
      n.put("aligned", s.aligned());
      n.put("dkimAligned", s.dkimAligned());
      n.put("spfAligned", s.spfAligned());
      s.dkim().forEach(n.putArray("dkim")::add);
      s.spf().forEach(n.putArray("spf")::add);
      n.put("class", s.classification().kind().replace(' ', '-'));
      if (s.classification() instanceof Classification.Unaligned u) {
        n.put("hint", u.hint().name().toLowerCase(Locale.ROOT));
      }
      n.put("evidence", s.classification().evidence());
      n.put("advice", s.classification().advice());
    }
    RampVerdict v = r.verdict();
    ObjectNode verdict = o.putObject("verdict");
    verdict.put("current", v.current().map(RampStep::tags).orElse(null));
    verdict.put("next", v.next().map(RampStep::tags).orElse(null));
    verdict.put("ready", v.ready());
    verdict.put("cleanDays", v.cleanDays());
    verdict.put("neededDays", v.neededDays());
    verdict.put("lastDirtyDay", v.lastDirtyDay().map(LocalDate::toString).orElse(null));
    verdict.put("lastReportDay", v.lastReportDay().map(LocalDate::toString).orElse(null));
    verdict.put("summary", v.summary());
    try {
      return JSON.writeValueAsString(o) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("JSON of a report", e);
    }
  }
}
