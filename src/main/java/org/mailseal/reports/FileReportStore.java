// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mailseal.fs.AtomicFiles;

/**
 * Reports as files, for the embedded default: {@code <root>/<domain>/<yyyy-MM>/<key>.json}, where
 * the month is the report's begin (UTC) and {@code key} is the SHA-256 of the reporter and report
 * id, so the same report always lands on the same name. Each file is written atomically ({@link
 * AtomicFiles}); a reader skips temporary files.
 */
public final class FileReportStore implements ReportStore {
  private static final Pattern DOMAIN = Pattern.compile("[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?");
  private static final Pattern MONTH = Pattern.compile("\\d{4}-\\d{2}");
  private static final Comparator<AggregateReport> ORDER =
      Comparator.comparing(AggregateReport::begin)
          .thenComparing(AggregateReport::orgName)
          .thenComparing(AggregateReport::reportId);

  private final Path root;

  public FileReportStore(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  @Override
  public synchronized boolean add(AggregateReport report) throws ReportStoreException {
    Path file = file(report);
    try {
      if (Files.exists(file)) {
        return false;
      }
      AtomicFiles.createPrivateDirectories(root);
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, ReportCodec.encode(report), AtomicFiles.PRIVATE_FILE);
      return true;
    } catch (IOException e) {
      throw new ReportStoreException("cannot store report in " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<AggregateReport> reports(String domain, Instant from, Instant to)
      throws ReportStoreException {
    Path dir = root.resolve(checked(domain));
    List<AggregateReport> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    // A report may begin a month before the period and still overlap it; later months too.
    YearMonth first = YearMonth.from(from.atZone(ZoneOffset.UTC)).minusMonths(1);
    YearMonth last = YearMonth.from(to.atZone(ZoneOffset.UTC));
    try (Stream<Path> months = Files.list(dir)) {
      for (Path month : months.sorted().toList()) {
        String name = month.getFileName().toString();
        if (!MONTH.matcher(name).matches()) {
          continue;
        }
        YearMonth ym = YearMonth.parse(name);
        if (ym.isBefore(first) || ym.isAfter(last)) {
          continue;
        }
        try (Stream<Path> files = Files.list(month)) {
          for (Path f : files.sorted().toList()) {
            String fn = f.getFileName().toString();
            if (fn.startsWith(AtomicFiles.TEMP_PREFIX) || !fn.endsWith(".json")) {
              continue;
            }
            AggregateReport r = read(f);
            if (r.begin().isBefore(to) && r.end().isAfter(from)) {
              out.add(r);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new ReportStoreException("cannot read reports under " + dir + ": " + e.getMessage(), e);
    }
    out.sort(ORDER);
    return out;
  }

  @Override
  public List<String> domains() throws ReportStoreException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> DOMAIN.matcher(n).matches())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new ReportStoreException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  private static AggregateReport read(Path f) throws ReportStoreException {
    try {
      return ReportCodec.decode(Files.readAllBytes(f));
    } catch (IOException e) {
      throw new ReportStoreException("cannot read stored report " + f + ": " + e.getMessage(), e);
    }
  }

  private Path file(AggregateReport r) throws ReportStoreException {
    YearMonth month = YearMonth.from(r.begin().atZone(ZoneOffset.UTC));
    return root.resolve(checked(r.policy().domain()))
        .resolve(month.toString())
        .resolve(key(r.key()) + ".json");
  }

  private static String checked(String domain) throws ReportStoreException {
    if (!DOMAIN.matcher(domain).matches() || domain.contains("..")) {
      throw new ReportStoreException("not a domain name: " + domain, null);
    }
    return domain;
  }

  static String key(AggregateReport.Key k) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(k.orgName().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(k.reportId().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }
}
