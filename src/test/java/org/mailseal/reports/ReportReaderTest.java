// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Finding reports in what receivers send: XML, gzip, zip, e-mails; and refusing bombs. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReportReaderTest {
  private final ReportReader reader = new ReportReader(new ReportParser(ReportLimits.DEFAULT));

  @TempDir Path dir;

  static byte[] bytes(String resource) throws IOException {
    try (InputStream in = ReportParserTest.resource(resource)) {
      return in.readAllBytes();
    }
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  static byte[] zip(String[] names, byte[]... entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (int i = 0; i < entries.length; i++) {
        z.putNextEntry(new ZipEntry(names[i]));
        z.write(entries[i]);
        z.closeEntry();
      }
    }
    return out.toByteArray();
  }

  /** A report e-mail as receivers send it: a text part and the report attached. */
  static byte[] mail(String type, String filename, byte[] attachment) throws Exception {
    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
    m.setFrom("noreply-dmarc-support@receiver.example");
    m.setRecipients(jakarta.mail.Message.RecipientType.TO, "dmarc@example.com");
    m.setSubject("Report domain: example.com Submitter: receiver.example");
    MimeBodyPart text = new MimeBodyPart();
    text.setText("This is an aggregate report from receiver.example.");
    MimeBodyPart report = new MimeBodyPart();
    report.setDataHandler(
        new jakarta.activation.DataHandler(
            new jakarta.mail.util.ByteArrayDataSource(attachment, type)));
    report.setFileName(filename);
    m.setContent(new MimeMultipart(text, report));
    m.saveChanges();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeTo(out);
    return out.toByteArray();
  }

  private List<ReadOutcome> read(String name, byte[] data) {
    return reader.read(name, new ByteArrayInputStream(data));
  }

  private static String onlyReportId(List<ReadOutcome> outcomes) {
    assertThat(outcomes).singleElement().isInstanceOf(ReadOutcome.Parsed.class);
    return ((ReadOutcome.Parsed) outcomes.get(0)).report().reportId();
  }

  @Test
  void bareXmlGzipAndZipAreToldByTheirBytesNotTheirNames() throws Exception {
    byte[] xml = bytes("rfc7489-several-records.xml");
    assertThat(onlyReportId(read("a.bin", xml))).isEqualTo("12598440279284751111");
    assertThat(onlyReportId(read("a.xml", gzip(xml)))).isEqualTo("12598440279284751111");
    assertThat(onlyReportId(read("a.xml", zip(new String[] {"r.xml"}, xml))))
        .isEqualTo("12598440279284751111");
  }

  @Test
  void aZipEntryIsNamedInTheSource() throws Exception {
    byte[] z =
        zip(new String[] {"one.xml", "two.xml"}, bytes("zero-records.xml"), bytes("dmarcbis.xml"));
    assertThat(read("in.zip", z))
        .extracting(ReadOutcome::source)
        .containsExactly("in.zip!one.xml", "in.zip!two.xml");
  }

  @Test
  void eMailsCarryReportsAsGzipZipOrXmlAttachments() throws Exception {
    byte[] xml = bytes("dmarcbis.xml");
    assertThat(onlyReportId(read("m1.eml", mail("application/gzip", "r.xml.gz", gzip(xml)))))
        .isEqualTo("bis-42");
    assertThat(
            onlyReportId(
                read("m2.eml", mail("application/zip", "r.zip", zip(new String[] {"r.xml"}, xml)))))
        .isEqualTo("bis-42");
    List<ReadOutcome> m3 = read("m3.eml", mail("text/xml", "r.xml", xml));
    assertThat(onlyReportId(m3)).isEqualTo("bis-42");
    assertThat(m3.get(0).source()).isEqualTo("m3.eml!r.xml");
  }

  @Test
  void anEMailWithoutAReportIsSetAside() throws Exception {
    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
    m.setFrom("someone@example.org");
    m.setText("hello");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeTo(out);
    assertThat(read("hello.eml", out.toByteArray()))
        .containsExactly(new ReadOutcome.SetAside("hello.eml", "e-mail without a report attached"));
  }

  @Test
  void aMalformedReportInsideAZipIsSetAsideAndTheOthersRead() throws Exception {
    byte[] z =
        zip(
            new String[] {"good.xml", "bad.xml"},
            bytes("zero-records.xml"),
            bytes("bad/missing-report-id.xml"));
    List<ReadOutcome> out = read("mixed.zip", z);
    assertThat(out).hasSize(2);
    assertThat(out.get(0)).isInstanceOf(ReadOutcome.Parsed.class);
    assertThat(out.get(1))
        .isEqualTo(
            new ReadOutcome.SetAside("mixed.zip!bad.xml", "missing report_metadata/report_id"));
    assertThat(out.get(1).describe())
        .isEqualTo("mixed.zip!bad.xml: set aside: missing report_metadata/report_id");
  }

  @Test
  void aZipBombIsRefusedByTheUncompressedLimit() throws Exception {
    // 64 MiB of spaces inside <feedback> deflate to about 64 KiB.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      z.putNextEntry(new ZipEntry("bomb.xml"));
      z.write("<feedback>".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] spaces = new byte[1 << 20];
      java.util.Arrays.fill(spaces, (byte) ' ');
      for (int i = 0; i < 64; i++) {
        z.write(spaces);
      }
      z.closeEntry();
    }
    assertThat(out.size()).isLessThan(1 << 20);
    ReportReader small =
        new ReportReader(new ReportParser(new ReportLimits(1 << 20, 4 << 20, 4, 1000, 4)));
    assertThat(small.read("bomb.zip", new ByteArrayInputStream(out.toByteArray())))
        .containsExactly(
            new ReadOutcome.SetAside(
                "bomb.zip!bomb.xml", "larger than 4194304 bytes of XML uncompressed"));
  }

  @Test
  void aZipWithTooManyEntriesIsCutOffAtTheLimit() throws Exception {
    byte[] xml = bytes("zero-records.xml");
    byte[] z = zip(new String[] {"1.xml", "2.xml", "3.xml"}, xml, xml, xml);
    ReportReader small =
        new ReportReader(new ReportParser(new ReportLimits(1 << 20, 1 << 20, 2, 1000, 8)));
    List<ReadOutcome> out = small.read("many.zip", new ByteArrayInputStream(z));
    assertThat(out).hasSize(3);
    assertThat(out.get(2))
        .isEqualTo(new ReadOutcome.SetAside("many.zip", "more than 2 entries in the zip"));
  }

  @Test
  void anInputLargerThanTheReceivedLimitIsSetAside() throws Exception {
    byte[] xml = bytes("rfc7489-several-records.xml");
    ReportReader small =
        new ReportReader(new ReportParser(new ReportLimits(1000, 1 << 20, 2, 1000, 8)));
    assertThat(small.read("big.xml", new ByteArrayInputStream(xml)))
        .containsExactly(new ReadOutcome.SetAside("big.xml", "larger than 1000 bytes as received"));
  }

  @Test
  void somethingElseIsSetAsideNotFatal() {
    assertThat(read("x.pdf", "%PDF-1.7\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .containsExactly(new ReadOutcome.SetAside("x.pdf", "not XML, gzip, zip or an e-mail"));
    assertThat(read("broken.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2}))
        .singleElement()
        .isInstanceOf(ReadOutcome.SetAside.class);
  }

  @Test
  void aDirectoryIsReadRecursivelyInNameOrder() throws Exception {
    Files.createDirectories(dir.resolve("sub"));
    Files.write(dir.resolve("b.xml.gz"), gzip(bytes("dmarcbis.xml")));
    Files.write(dir.resolve("a.xml"), bytes("zero-records.xml"));
    Files.write(dir.resolve("sub/c.xml"), bytes("bad/truncated.xml"));
    Files.write(dir.resolve(".tmp-x"), new byte[] {1});
    List<ReadOutcome> out = reader.read(dir);
    assertThat(out)
        .extracting(ReadOutcome::source)
        .containsExactly(
            dir.resolve("a.xml").toString(),
            dir.resolve("b.xml.gz").toString(),
            dir.resolve("sub/c.xml").toString());
    assertThat(out.get(2)).isInstanceOf(ReadOutcome.SetAside.class);
  }
}
