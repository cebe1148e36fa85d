// SPDX-License-Identifier: Apache-2.0
package org.mailseal.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void privateWriteReplacesTheFileWithMode0600AndLeavesNoTemporaryFile() throws Exception {
    Path target = dir.resolve("secret.pem");
    Files.writeString(target, "old");
    AtomicFiles.writePrivate(target, "new".getBytes());
    assertThat(Files.readString(target)).isEqualTo("new");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
        .isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("secret.pem");
    }
  }

  @Test
  void privateDirectoriesGetMode0700() throws Exception {
    Path d = dir.resolve("a").resolve("b");
    AtomicFiles.createPrivateDirectories(d);
    AtomicFiles.createPrivateDirectories(d); // a second call is fine
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d)))
        .isEqualTo("rwx------");
  }
}
