// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.mailseal.reports.AggregateReport.DkimResult;
import org.mailseal.reports.AggregateReport.PublishedPolicy;
import org.mailseal.reports.AggregateReport.Row;
import org.mailseal.reports.AggregateReport.SpfResult;

/**
 * Reads the XML of one aggregate report, streaming it with the JDK's StAX: RFC 7489 appendix C (no
 * namespace) and the DMARCbis aggregate format ({@value #DMARC_2_NAMESPACE}). Elements are matched
 * by local name in the report's own namespace; elements of other namespaces (DMARCbis {@code
 * <extension>} content) and unknown elements are skipped.
 *
 * <p>No DTD is read and no external entity is resolved (XXE), and the input is cut off past {@link
 * ReportLimits#maxXmlBytes()}. Text of an element is capped at {@value #MAX_TEXT} characters.
 * Thread-safe.
 */
public final class ReportParser {
  /** The namespace of the DMARCbis aggregate report format. */
  public static final String DMARC_2_NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0";

  /** Most characters in one element's text: ids and domain names are far shorter. */
  static final int MAX_TEXT = 4096;

  private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

  /** A host name (letters, digits, hyphens; underscores too, as some names carry them). */
  private static final Pattern DOMAIN =
      Pattern.compile(
          "([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");

  private final ReportLimits limits;
  private final XMLInputFactory factory;

  public ReportParser(ReportLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.factory = XMLInputFactory.newFactory();
    // XXE: no DTD, no external entities.
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    factory.setProperty(XMLInputFactory.IS_COALESCING, false);
  }

  public ReportLimits limits() {
    return limits;
  }

  /** Parses one report from {@code in}, which is read at most to the XML size limit. */
  public AggregateReport parse(InputStream in) throws ReportFormatException {
    LimitedInputStream limited =
        new LimitedInputStream(in, limits.maxXmlBytes(), "of XML uncompressed");
    XMLStreamReader x = null;
    try {
      x = factory.createXMLStreamReader(limited);
      return new Document(x).feedback();
    } catch (XMLStreamException | RuntimeException e) {
      if (limited.exceeded() || LimitedInputStream.isLimit(e)) {
        throw new ReportFormatException(limited.message());
      }
      if (e instanceof IllegalArgumentException) {
        throw new ReportFormatException(e.getMessage());
      }
      throw new ReportFormatException("not well-formed XML: " + oneLine(e.getMessage()), e);
    } finally {
      if (x != null) {
        try {
          x.close();
        } catch (XMLStreamException ignored) {
          // closing a reader over a stream we do not own: nothing to release
        }
      }
    }
  }

  static String oneLine(String s) {
    if (s == null) {
      return "no detail";
    }
    String t = s.replaceAll("\\s+", " ").strip();
    return t.length() > 200 ? t.substring(0, 200) + "…" : t;
  }

  /** One pass over one document. */
  private final class Document extends XmlCursor {
    Document(XMLStreamReader x) {
      super(x);
    }

    AggregateReport feedback() throws XMLStreamException, ReportFormatException {
      while (x.hasNext() && x.next() != XMLStreamConstants.START_ELEMENT) {
        // prolog: comments, processing instructions, whitespace
      }
      if (!x.isStartElement() || !"feedback".equals(x.getLocalName())) {
        throw new ReportFormatException(
            "not a DMARC aggregate report: the root element is "
                + (x.isStartElement() ? "<" + x.getLocalName() + ">" : "missing")
                + ", not <feedback>");
      }
      namespace = Objects.requireNonNullElse(x.getNamespaceURI(), "");
      Metadata meta = null;
      PublishedPolicy policy = null;
      List<Row> rows = new ArrayList<>();
      while (child()) {
        switch (name()) {
          case "report_metadata" -> meta = metadata();
          case "policy_published" -> policy = policy();
          case "record" -> {
            if (rows.size() >= limits.maxRecords()) {
              throw new ReportFormatException("more than " + limits.maxRecords() + " records");
            }
            rows.add(record());
          }
          default -> skip();
        }
      }
      if (meta == null) {
        throw missing("report_metadata");
      }
      if (policy == null) {
        throw missing("policy_published");
      }
      return new AggregateReport(meta.org, meta.email, meta.id, meta.begin, meta.end, policy, rows);
    }

    private final class Metadata {
      String org;
      String email = "";
      String id;
      Instant begin;
      Instant end;
    }

    Metadata metadata() throws XMLStreamException, ReportFormatException {
      Metadata m = new Metadata();
      while (child()) {
        switch (name()) {
          case "org_name" -> m.org = text();
          case "email" -> m.email = text();
          case "report_id" -> m.id = text();
          case "date_range" -> {
            while (child()) {
              switch (name()) {
                case "begin" -> m.begin = epoch(text(), "begin");
                case "end" -> m.end = epoch(text(), "end");
                default -> skip();
              }
            }
          }
          default -> skip();
        }
      }
      if (blank(m.org)) {
        throw missing("report_metadata/org_name");
      }
      if (blank(m.id)) {
        throw missing("report_metadata/report_id");
      }
      if (m.begin == null || m.end == null) {
        throw missing("report_metadata/date_range/" + (m.begin == null ? "begin" : "end"));
      }
      return m;
    }

    PublishedPolicy policy() throws XMLStreamException, ReportFormatException {
      String domain = null;
      String adkim = "r";
      String aspf = "r";
      String p = null;
      String sp = "";
      boolean testing = false;
      while (child()) {
        switch (name()) {
          case "domain" -> domain = text();
          case "adkim" -> adkim = orR(lower(text()));
          case "aspf" -> aspf = orR(lower(text()));
          case "p" -> p = lower(text());
          case "sp" -> sp = lower(text());
          case "testing" -> testing = "y".equals(lower(text()));
          case "pct" -> {
            String pct = text();
            try {
              testing |= !pct.isEmpty() && Integer.parseInt(pct) < 100;
            } catch (NumberFormatException e) {
              throw new ReportFormatException("policy_published/pct: not a number: " + pct);
            }
          }
          default -> skip();
        }
      }
      if (blank(domain)) {
        throw missing("policy_published/domain");
      }
      String d = lower(domain);
      if (d.endsWith(".")) {
        d = d.substring(0, d.length() - 1);
      }
      if (!DOMAIN.matcher(d).matches()) {
        throw new ReportFormatException("policy_published/domain: not a domain name: " + domain);
      }
      if (blank(p)) {
        throw missing("policy_published/p");
      }
      return new PublishedPolicy(d, adkim, aspf, p, sp, testing);
    }

    Row record() throws XMLStreamException, ReportFormatException {
      String ip = null;
      Long count = null;
      String disposition = "";
      String dkimEval = "";
      String spfEval = "";
      String headerFrom = null;
      String envelopeFrom = "";
      List<DkimResult> dkim = new ArrayList<>();
      List<SpfResult> spf = new ArrayList<>();
      while (child()) {
        switch (name()) {
          case "row" -> {
            while (child()) {
              switch (name()) {
                case "source_ip" -> ip = ip(text());
                case "count" -> count = count(text());
                case "policy_evaluated" -> {
                  while (child()) {
                    switch (name()) {
                      case "disposition" -> disposition = lower(text());
                      case "dkim" -> dkimEval = lower(text());
                      case "spf" -> spfEval = lower(text());
                      default -> skip();
                    }
                  }
                }
                default -> skip();
              }
            }
          }
          case "identifiers" -> {
            while (child()) {
              switch (name()) {
                case "header_from" -> headerFrom = lower(text());
                case "envelope_from" -> envelopeFrom = lower(text());
                default -> skip();
              }
            }
          }
          case "auth_results" -> {
            while (child()) {
              switch (name()) {
                case "dkim" -> dkim.add(dkimResult());
                case "spf" -> spf.add(spfResult());
                default -> skip();
              }
            }
          }
          default -> skip();
        }
      }
      if (ip == null) {
        throw missing("record/row/source_ip");
      }
      if (count == null) {
        throw missing("record/row/count");
      }
      if (blank(headerFrom)) {
        throw missing("record/identifiers/header_from");
      }
      return new Row(
          ip, count, disposition, dkimEval, spfEval, headerFrom, envelopeFrom, dkim, spf);
    }

    DkimResult dkimResult() throws XMLStreamException, ReportFormatException {
      String domain = null;
      String selector = "";
      String result = null;
      while (child()) {
        switch (name()) {
          case "domain" -> domain = text();
          case "selector" -> selector = text();
          case "result" -> result = text();
          default -> skip();
        }
      }
      if (blank(domain) || blank(result)) {
        throw missing("auth_results/dkim/" + (blank(domain) ? "domain" : "result"));
      }
      return new DkimResult(domain, selector, result);
    }

    SpfResult spfResult() throws XMLStreamException, ReportFormatException {
      String domain = null;
      String scope = "mfrom";
      String result = null;
      while (child()) {
        switch (name()) {
          case "domain" -> domain = text();
          case "scope" -> scope = lower(text());
          case "result" -> result = text();
          default -> skip();
        }
      }
      if (blank(domain) || blank(result)) {
        throw missing("auth_results/spf/" + (blank(domain) ? "domain" : "result"));
      }
      return new SpfResult(domain, scope, result);
    }
  }

  private static ReportFormatException missing(String path) {
    return new ReportFormatException("missing " + path);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  private static Instant epoch(String text, String what) throws ReportFormatException {
    try {
      return Instant.ofEpochSecond(Long.parseLong(text));
    } catch (NumberFormatException | DateTimeException e) {
      throw new ReportFormatException("date_range/" + what + ": not seconds since 1970: " + text);
    }
  }

  private static long count(String text) throws ReportFormatException {
    try {
      long n = Long.parseLong(text);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ReportFormatException("record/row/count: not a count: " + text);
    }
  }

  /** The address in a stable form; literals only, never a DNS lookup. */
  static String ip(String text) throws ReportFormatException {
    if (!IP_LITERAL.matcher(text).matches()
        || (!text.contains(":") && text.split("\\.").length != 4)) {
      throw new ReportFormatException("record/row/source_ip: not an IP address: " + text);
    }
    try {
      return InetAddress.getByName(text).getHostAddress();
    } catch (UnknownHostException e) {
      throw new ReportFormatException("record/row/source_ip: not an IP address: " + text);
    }
  }

  private static String orR(String alignment) {
    return alignment.isEmpty() ? "r" : alignment;
  }
}
