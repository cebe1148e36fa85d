// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileReportStoreTest extends ReportStoreContract {
  @TempDir Path dir;

  @Override
  ReportStore store() {
    return new FileReportStore(dir.resolve("reports"));
  }

  @Test
  void aReportIsAPrivateFileUnderItsDomainAndMonth() throws Exception {
    store().add(sample("r1", DAY));
    Path month = dir.resolve("reports/example.com/2026-11");
    try (Stream<Path> files = Files.list(month)) {
      Path f = files.findFirst().orElseThrow();
      assertThat(f.getFileName().toString()).matches("[0-9a-f]{32}\\.json");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void aDamagedFileIsAnErrorThatNamesIt() throws Exception {
    ReportStore s = store();
    s.add(sample("r1", DAY));
    Path f;
    try (Stream<Path> files = Files.list(dir.resolve("reports/example.com/2026-11"))) {
      f = files.findFirst().orElseThrow();
    }
    Files.writeString(f, "{\"format\": 1}");
    assertThatThrownBy(() -> s.reports("example.com", DAY, DAY.plus(Duration.ofDays(1))))
        .isInstanceOf(ReportStoreException.class)
        .hasMessageStartingWith("cannot read stored report " + f + ": damaged stored report");
  }

  @Test
  void aDomainThatIsNoNameNeverBecomesAPath() {
    assertThatThrownBy(() -> store().reports("../etc", DAY, DAY.plus(Duration.ofDays(1))))
        .isInstanceOf(ReportStoreException.class)
        .hasMessage("not a domain name: ../etc");
  }
}
