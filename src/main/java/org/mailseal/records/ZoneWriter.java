// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders records for operators and for automation: a BIND zone, a table, or JSON. */
public final class ZoneWriter {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** An output format of {@code dns records}. */
  public enum Format {
    /** RFC 1035 master-file lines, each record under a {@code ;} comment. */
    BIND,
    /** {@code NAME TYPE VALUE} columns. */
    TABLE,
    /** An array of {@code {name, type, ttl, value, strings}} objects. */
    JSON;

    /** The format named {@code text}: bind, table or json. */
    public static Format parse(String text) {
      try {
        return valueOf(text.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown format " + text + " (bind, table or json)", e);
      }
    }
  }

  private ZoneWriter() {}

  public static String render(List<DnsRecord> records, Format format) {
    switch (format) {
      case BIND:
        return bind(records);
      case TABLE:
        return table(records);
      default:
        return json(records);
    }
  }

  private static String bind(List<DnsRecord> records) {
    StringBuilder sb = new StringBuilder();
    for (DnsRecord r : records) {
      sb.append("; ").append(r.comment()).append('\n');
      sb.append(r.name())
          .append(' ')
          .append(r.ttl())
          .append(" IN ")
          .append(r.type())
          .append(' ')
          .append(r.rdata())
          .append('\n');
    }
    return sb.toString();
  }

  private static String table(List<DnsRecord> records) {
    int width = "NAME".length();
    for (DnsRecord r : records) {
      width = Math.max(width, r.name().toString().length());
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-" + width + "s  TYPE  VALUE%n", "NAME"));
    for (DnsRecord r : records) {
      sb.append(String.format("%-" + width + "s  %-4s  %s%n", r.name(), r.type(), r.value()));
    }
    return sb.toString();
  }

  private static String json(List<DnsRecord> records) {
    try {
      return JSON.writeValueAsString(objects(records)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("records do not serialize", e);
    }
  }

  /**
   * A change set for automation: {@code {"domain", "add": [...], "remove": [...]}}, each record as
   * in {@link Format#JSON}. Whoever applies it removes first, then adds (a record whose value
   * changed appears in both).
   */
  public static String changes(String domain, List<DnsRecord> add, List<DnsRecord> remove) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("domain", domain);
    doc.put("add", objects(add));
    doc.put("remove", objects(remove));
    try {
      return JSON.writeValueAsString(doc) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("records do not serialize", e);
    }
  }

  /**
   * Reads back what {@link Format#JSON} wrote.
   *
   * @throws IllegalArgumentException when the text is not such a document
   */
  public static List<DnsRecord> parseJson(String text) {
    List<DnsRecord> out = new ArrayList<>();
    try {
      com.fasterxml.jackson.databind.JsonNode array = JSON.readTree(text);
      if (array == null || !array.isArray()) {
        throw new IllegalArgumentException("not a JSON array");
      }
      for (com.fasterxml.jackson.databind.JsonNode n : array) {
        out.add(
            DnsRecord.of(
                n.required("name").asText(),
                DnsRecord.Kind.valueOf(n.required("kind").asText().toUpperCase(Locale.ROOT)),
                n.required("ttl").asLong(),
                n.required("value").asText(),
                n.path("comment").asText("")));
      }
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("not a JSON record list: " + e.getMessage(), e);
    }
    return out;
  }

  private static List<Map<String, Object>> objects(List<DnsRecord> records) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (DnsRecord r : records) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", r.name().toString());
      m.put("type", r.type());
      m.put("ttl", r.ttl());
      m.put("value", r.value());
      m.put("strings", r.txt().strings());
      m.put("kind", r.kind().name().toLowerCase(Locale.ROOT));
      m.put("comment", r.comment());
      out.add(m);
    }
    return out;
  }
}
