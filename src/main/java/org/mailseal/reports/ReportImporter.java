// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads reports from files or a stream and stores the new ones. */
public final class ReportImporter {
  private static final Logger log = LoggerFactory.getLogger(ReportImporter.class);

  private final ReportReader reader;
  private final ReportStore store;

  public ReportImporter(ReportReader reader, ReportStore store) {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Imports every report in {@code paths} (files, or directories read recursively). */
  public ImportSummary importPaths(List<Path> paths) throws ReportStoreException {
    ImportSummary s = ImportSummary.EMPTY;
    for (Path p : paths) {
      s = s.plus(store(reader.read(p)));
    }
    return s;
  }

  /** Imports every report in one input as it arrived, for example an e-mail's bytes. */
  public ImportSummary importStream(String source, InputStream in) throws ReportStoreException {
    return store(reader.read(source, in));
  }

  private ImportSummary store(List<ReadOutcome> outcomes) throws ReportStoreException {
    int added = 0;
    int duplicates = 0;
    List<ReadOutcome.SetAside> aside = new ArrayList<>();
    for (ReadOutcome o : outcomes) {
      if (o instanceof ReadOutcome.Parsed p) {
        if (store.add(p.report())) {
          added++;
          log.info(
              "dmarc report stored source=\"{}\" org=\"{}\" id=\"{}\" domain={} messages={}",
              p.source(),
              p.report().orgName(),
              p.report().reportId(),
              p.report().policy().domain(),
              p.report().messages());
        } else {
          duplicates++;
        }
      } else if (o instanceof ReadOutcome.SetAside a) {
        aside.add(a);
        log.warn("dmarc report set aside source=\"{}\" reason=\"{}\"", a.source(), a.reason());
      }
    }
    return new ImportSummary(added, duplicates, aside);
  }
}
