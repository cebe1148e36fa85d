// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailseal.reports.AggregateReport.DkimResult;
import org.mailseal.reports.AggregateReport.Row;
import org.mailseal.reports.AggregateReport.SpfResult;

/** The XML of aggregate reports, on report files of our own making under reports/. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReportParserTest {
  private final ReportParser parser = new ReportParser(ReportLimits.DEFAULT);

  static AggregateReport parse(ReportParser parser, String resource) throws Exception {
    try (InputStream in = resource(resource)) {
      return parser.parse(in);
    }
  }

  static InputStream resource(String name) {
    InputStream in = ReportParserTest.class.getResourceAsStream("/reports/" + name);
    if (in == null) {
      throw new IllegalArgumentException("no test resource reports/" + name);
    }
    return in;
  }

  @Test
  void rfc7489ReportGivesMetadataPolicyAndEveryRecordInOrder() throws Exception {
    AggregateReport r = parse(parser, "rfc7489-several-records.xml");
    assertThat(r.orgName()).isEqualTo("receiver.example");
    assertThat(r.email()).isEqualTo("noreply-dmarc-support@receiver.example");
    assertThat(r.reportId()).isEqualTo("12598440279284751111");
    assertThat(r.begin()).isEqualTo(Instant.parse("2025-12-02T00:00:00Z"));
    assertThat(r.end()).isEqualTo(Instant.parse("2025-12-02T23:59:59Z"));
    assertThat(r.policy())
        .isEqualTo(
            new AggregateReport.PublishedPolicy("example.com", "r", "r", "none", "none", false));
    assertThat(r.rows())
        .extracting(Row::sourceIp)
        .containsExactly("192.0.2.25", "192.0.2.25", "2001:db8:0:0:0:0:0:17");
    assertThat(r.rows()).extracting(Row::count).containsExactly(120L, 3L, 7L);
    assertThat(r.messages()).isEqualTo(130);
    // header_from is lower-cased: receivers copy the From field's case.
    assertThat(r.rows().get(2).headerFrom()).isEqualTo("example.com");
  }

  @Test
  void severalDkimResultsInOneRecordAreAllKept() throws Exception {
    Row first = parse(parser, "rfc7489-several-records.xml").rows().get(0);
    assertThat(first.dkim())
        .containsExactly(
            new DkimResult("example.com", "s20261122r", "pass"),
            new DkimResult("example.com", "s20261122e", "pass"),
            new DkimResult("smarthost.example", "relay1", "fail"));
    assertThat(first.spf()).containsExactly(new SpfResult("example.com", "mfrom", "pass"));
    assertThat(first.dkimEvaluated()).isEqualTo("pass");
  }

  @Test
  void missingOptionalElementsTakeTheirDefaults() throws Exception {
    AggregateReport r = parse(parser, "missing-optional.xml");
    assertThat(r.email()).isEmpty();
    assertThat(r.policy())
        .isEqualTo(
            new AggregateReport.PublishedPolicy("example.com", "r", "r", "quarantine", "", false));
    Row row = r.rows().get(0);
    assertThat(row.dkim()).containsExactly(new DkimResult("example.com", "", "pass"));
    assertThat(row.dkim().get(0).selectorIfKnown()).isEmpty();
    assertThat(row.spf()).containsExactly(new SpfResult("example.com", "mfrom", "none"));
    assertThat(row.envelopeFrom()).isEmpty();
    assertThat(row.dkimEvaluated()).isEmpty();
  }

  @Test
  void aReportWithZeroRecordsIsAReport() throws Exception {
    AggregateReport r = parse(parser, "zero-records.xml");
    assertThat(r.rows()).isEmpty();
    assertThat(r.messages()).isZero();
    assertThat(r.policy().adkim()).isEqualTo("s");
  }

  @Test
  void dmarcbisNamespaceIsReadAndForeignExtensionsSkipped() throws Exception {
    AggregateReport r = parse(parser, "dmarcbis.xml");
    assertThat(r.orgName()).isEqualTo("bis.example");
    assertThat(r.reportId()).isEqualTo("bis-42");
    assertThat(r.policy())
        .isEqualTo(
            new AggregateReport.PublishedPolicy(
                "example.com", "s", "r", "quarantine", "quarantine", true));
    Row row = r.rows().get(0);
    assertThat(row.envelopeFrom()).isEqualTo("mail.example.com");
    assertThat(row.dkim()).hasSize(2);
    assertThat(row.spf()).containsExactly(new SpfResult("mail.example.com", "mfrom", "pass"));
  }

  @Test
  void dmarcbisWithANamespacePrefixReadsTheSame() throws Exception {
    AggregateReport r = parse(parser, "dmarcbis-prefixed.xml");
    assertThat(r.policy().p()).isEqualTo("reject");
    assertThat(r.policy().testing()).isFalse();
    assertThat(r.rows()).singleElement().extracting(Row::disposition).isEqualTo("reject");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bad/truncated.xml|not well-formed XML: ",
        "bad/not-feedback.xml|not a DMARC aggregate report: the root element is <html>, not <feedback>",
        "bad/missing-report-id.xml|missing report_metadata/report_id",
        "bad/bad-source-ip.xml|record/row/source_ip: not an IP address: mail.attacker.example",
        "bad/text-in-wrong-place.xml|<org_name> holds an element <b>, not text",
      })
  void malformedReportsAreRefusedWithOneLineThatSaysWhy(String file, String reason) {
    assertThatThrownBy(() -> parse(parser, file))
        .isInstanceOf(ReportFormatException.class)
        .hasMessageStartingWith(reason)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void aPolicyDomainThatIsNoNameIsRefusedBeforeItCanBecomeAPath() {
    String xml =
        "<feedback><report_metadata><org_name>o</org_name><report_id>1</report_id>"
            + "<date_range><begin>1</begin><end>2</end></date_range></report_metadata>"
            + "<policy_published><domain>../../etc</domain><p>none</p></policy_published>"
            + "</feedback>";
    assertThatThrownBy(
            () ->
                parser.parse(
                    new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(ReportFormatException.class)
        .hasMessage("policy_published/domain: not a domain name: ../../etc");
  }

  @Test
  void externalEntitiesAreNeverResolved() {
    assertThatThrownBy(() -> parse(parser, "bad/xxe.xml"))
        .isInstanceOf(ReportFormatException.class)
        .hasMessageContaining("secret");
  }

  @Test
  void entityExpansionIsRefused() {
    assertThatThrownBy(() -> parse(parser, "bad/billion-laughs.xml"))
        .isInstanceOf(ReportFormatException.class);
  }

  @Test
  void moreRecordsThanTheLimitAreRefused() {
    ReportParser small = new ReportParser(new ReportLimits(1 << 20, 1 << 20, 4, 2, 4));
    assertThatThrownBy(() -> parse(small, "rfc7489-several-records.xml"))
        .isInstanceOf(ReportFormatException.class)
        .hasMessage("more than 2 records");
  }

  @Test
  void aGigabyteOfXmlIsCutOffAtTheLimitNotReadIntoMemory() {
    long gigabyte = 1L << 30;
    EndlessReport in = new EndlessReport(gigabyte);
    ReportParser limited = new ReportParser(new ReportLimits(gigabyte, 8L << 20, 4, 1_000_000, 4));
    assertThatThrownBy(() -> limited.parse(in))
        .isInstanceOf(ReportFormatException.class)
        .hasMessage("larger than 8388608 bytes of XML uncompressed");
    assertThat(in.served).isLessThan(9L << 20);
  }

  @Test
  void aHugeTextNodeIsRefusedWithoutBeingHeld() {
    String xml = "<feedback><report_metadata><org_name>" + "x".repeat(100_000) + "</org_name>";
    assertThatThrownBy(
            () ->
                parser.parse(
                    new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(ReportFormatException.class)
        .hasMessage("<org_name> longer than 4096 characters");
  }

  /** A report whose records never end: served lazily, so the test holds none of it. */
  static final class EndlessReport extends InputStream {
    private static final byte[] HEAD =
        ("<feedback><report_metadata><org_name>big</org_name><report_id>1</report_id>"
                + "<date_range><begin>1</begin><end>2</end></date_range></report_metadata>"
                + "<policy_published><domain>example.com</domain><p>none</p></policy_published>")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECORD =
        ("<record><row><source_ip>192.0.2.1</source_ip><count>1</count></row>"
                + "<identifiers><header_from>example.com</header_from></identifiers></record>")
            .getBytes(StandardCharsets.US_ASCII);
    private final long size;
    long served;

    EndlessReport(long size) {
      this.size = size;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (served >= size) {
        return -1;
      }
      int n = 0;
      while (n < len && served < size) {
        byte[] src = served < HEAD.length ? HEAD : RECORD;
        int pos = (int) (served < HEAD.length ? served : (served - HEAD.length) % RECORD.length);
        b[off + n] = src[pos];
        n++;
        served++;
      }
      return n;
    }
  }
}
