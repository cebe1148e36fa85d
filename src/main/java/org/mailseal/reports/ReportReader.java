// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Finds the aggregate reports in what receivers send: bare XML, {@code .xml.gz}, {@code .zip}, and
 * e-mails carrying any of those as attachments. The kind is told by the first bytes, not the file
 * name. Nothing here throws for a bad input: each report read or set aside is one {@link
 * ReadOutcome}.
 *
 * <p>Limits ({@link ReportLimits}): bytes as received, uncompressed XML bytes (in the parser),
 * entries of a zip, reports per input. E-mails are parsed in memory, within the received-bytes
 * limit.
 */
public final class ReportReader {
  /** How deep containers may nest: an e-mail with a zip holding a gzip is as deep as it gets. */
  static final int MAX_DEPTH = 3;

  private final ReportParser parser;
  private final ReportLimits limits;
  private final Session session = Session.getInstance(new Properties());

  public ReportReader(ReportParser parser) {
    this.parser = Objects.requireNonNull(parser, "parser");
    this.limits = parser.limits();
  }

  /** Every report in {@code path}: a file, or every regular file under a directory, sorted. */
  public List<ReadOutcome> read(Path path) {
    List<ReadOutcome> out = new ArrayList<>();
    if (Files.isDirectory(path)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(path)) {
        files =
            walk.filter(Files::isRegularFile)
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .sorted()
                .toList();
      } catch (IOException e) {
        out.add(new ReadOutcome.SetAside(path.toString(), "cannot list: " + e.getMessage()));
        return out;
      }
      for (Path f : files) {
        out.addAll(readFile(f));
      }
      return out;
    }
    return readFile(path);
  }

  private List<ReadOutcome> readFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(file.toString(), in);
    } catch (IOException e) {
      return List.of(new ReadOutcome.SetAside(file.toString(), "cannot read: " + e.getMessage()));
    }
  }

  /** Every report in one input as it arrived (a file's or an e-mail's bytes). */
  public List<ReadOutcome> read(String source, InputStream in) {
    LimitedInputStream limited = new LimitedInputStream(in, limits.maxInputBytes(), "as received");
    Reading r = new Reading();
    try {
      r.any(source, limited, 0);
    } catch (IOException | MessagingException | RuntimeException e) {
      String reason =
          limited.exceeded() || LimitedInputStream.isLimit(e)
              ? limited.exceeded() ? limited.message() : limitMessage(e)
              : "cannot read: " + ReportParser.oneLine(e.getMessage());
      r.out.add(new ReadOutcome.SetAside(source, reason));
    }
    if (r.out.isEmpty()) {
      r.out.add(new ReadOutcome.SetAside(source, "no report found in it"));
    }
    return r.out;
  }

  private static String limitMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof LimitedInputStream.LimitExceeded) {
        return t.getMessage();
      }
    }
    return "too large";
  }

  /** The state of reading one input. */
  private final class Reading {
    final List<ReadOutcome> out = new ArrayList<>();

    void any(String source, InputStream raw, int depth) throws IOException, MessagingException {
      if (depth > MAX_DEPTH) {
        out.add(new ReadOutcome.SetAside(source, "containers nested deeper than " + MAX_DEPTH));
        return;
      }
      BufferedInputStream in = new BufferedInputStream(raw, 8192);
      in.mark(1024);
      byte[] head = in.readNBytes(512);
      in.reset();
      switch (kind(head)) {
        case GZIP -> gzip(source, in);
        case ZIP -> zip(source, in, depth);
        case XML -> xml(source, in);
        case MAIL -> mail(source, in, depth);
        case UNKNOWN ->
            out.add(
                new ReadOutcome.SetAside(
                    source,
                    "not XML, gzip, zip or an e-mail" + (head.length == 0 ? " (empty)" : "")));
      }
    }

    void gzip(String source, InputStream in) throws IOException {
      xml(source, new GZIPInputStream(in, 8192));
    }

    void zip(String source, InputStream in, int depth) throws IOException, MessagingException {
      ZipInputStream zip = new ZipInputStream(in);
      int entries = 0;
      try {
        for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
          if (e.isDirectory()) {
            continue;
          }
          if (++entries > limits.maxZipEntries()) {
            out.add(
                new ReadOutcome.SetAside(
                    source, "more than " + limits.maxZipEntries() + " entries in the zip"));
            return;
          }
          any(source + "!" + e.getName(), new Unclosable(zip), depth + 1);
        }
      } catch (ZipException e) {
        out.add(new ReadOutcome.SetAside(source, "broken zip: " + e.getMessage()));
      }
    }

    void xml(String source, InputStream in) {
      if (out.size() >= limits.maxReportsPerInput()) {
        out.add(
            new ReadOutcome.SetAside(
                source, "more than " + limits.maxReportsPerInput() + " reports in one input"));
        return;
      }
      try {
        out.add(new ReadOutcome.Parsed(source, parser.parse(in)));
      } catch (ReportFormatException e) {
        out.add(new ReadOutcome.SetAside(source, e.getMessage()));
      }
    }

    void mail(String source, InputStream in, int depth) throws IOException, MessagingException {
      MimeMessage m = new MimeMessage(session, in);
      int before = out.size();
      part(source, m, depth);
      if (out.size() == before) {
        out.add(new ReadOutcome.SetAside(source, "e-mail without a report attached"));
      }
    }

    void part(String source, Part p, int depth) throws IOException, MessagingException {
      if (p.isMimeType("multipart/*")) {
        Multipart mp = (Multipart) p.getContent();
        for (int i = 0; i < mp.getCount(); i++) {
          BodyPart b = mp.getBodyPart(i);
          part(source, b, depth);
        }
        return;
      }
      String name = p.getFileName() == null ? "" : p.getFileName().toLowerCase(Locale.ROOT);
      boolean report =
          p.isMimeType("application/gzip")
              || p.isMimeType("application/x-gzip")
              || p.isMimeType("application/zip")
              || p.isMimeType("application/x-zip-compressed")
              || p.isMimeType("text/xml")
              || p.isMimeType("application/xml")
              || name.endsWith(".xml")
              || name.endsWith(".gz")
              || name.endsWith(".zip");
      if (report) {
        String where = source + "!" + (name.isEmpty() ? "attachment" : p.getFileName());
        try (InputStream in = p.getInputStream()) {
          any(where, in, depth + 1);
        }
      }
    }
  }

  enum Kind {
    GZIP,
    ZIP,
    XML,
    MAIL,
    UNKNOWN
  }

  static Kind kind(byte[] head) {
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return Kind.GZIP;
    }
    if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      return Kind.ZIP;
    }
    int i = 0;
    if (head.length >= 3
        && (head[0] & 0xff) == 0xef
        && (head[1] & 0xff) == 0xbb
        && (head[2] & 0xff) == 0xbf) {
      i = 3; // UTF-8 byte order mark
    }
    while (i < head.length
        && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
      i++;
    }
    if (i < head.length && head[i] == '<') {
      return Kind.XML;
    }
    // An e-mail starts with a header field: a name of printable characters but colon, then ':'.
    int j = i;
    while (j < head.length && head[j] > 32 && head[j] < 127 && head[j] != ':') {
      j++;
    }
    if (j > i && j < head.length && head[j] == ':') {
      return Kind.MAIL;
    }
    return Kind.UNKNOWN;
  }

  /** Lets a parser close what it read without closing the zip under it. */
  private static final class Unclosable extends FilterInputStream {
    Unclosable(InputStream in) {
      super(in);
    }

    @Override
    public void close() {
      // the zip stream stays open for the next entry
    }
  }
}
