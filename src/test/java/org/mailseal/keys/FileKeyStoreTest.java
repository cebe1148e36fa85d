// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link KeyStoreContract} on files, and what only files do. */
class FileKeyStoreTest extends KeyStoreContract {
  @TempDir Path root;

  @Override
  FileKeyStore store(Instant now) {
    return new FileKeyStore(root, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void keyFilesAndDirectoriesArePrivate() throws Exception {
    store(T0).add("example.com", new Selector("s20261122r"), rsa1.getPrivate(), KeyState.PENDING);
    Path pem = root.resolve("example.com/s20261122r.rsa.pem");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pem)))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("example.com"))))
        .isEqualTo("rwx------");
  }

  @Test
  void aCrashBeforeTheIndexLeavesTheStoreLoadable() throws Exception {
    FileKeyStore s = store(T0);
    s.add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.ACTIVE);
    Path dir = root.resolve("example.com");
    // The steps a crash can interrupt: a PEM written but no index entry yet, a temporary index
    // that was never renamed, a temporary key half written.
    Files.writeString(
        dir.resolve("r2.rsa.pem"), org.mailseal.keys.PemKeys.toPkcs8Pem(rsa2.getPrivate()));
    Files.writeString(dir.resolve(".tmp-keys.json-123"), "{\"keys\": [");
    Files.writeString(dir.resolve(".tmp-r3.rsa.pem-456"), "-----BEGIN PRI");
    FileKeyStore reopened = store(T0);
    assertThat(reopened.list("example.com"))
        .extracting(k -> k.selector().value())
        .containsExactly("r1");
    // the interrupted generation's selector can be generated again
    reopened.add("example.com", new Selector("r2"), rsa2.getPrivate(), KeyState.PENDING);
    assertThat(reopened.list("example.com")).hasSize(2);
  }

  @Test
  void aKeyFileReadableByOthersIsTightened() throws Exception {
    FileKeyStore s = store(T0);
    s.add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.PENDING);
    Path pem = root.resolve("example.com/r1.rsa.pem");
    Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-r--r--"));
    s.list();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pem)))
        .isEqualTo("rw-------");
  }

  @Test
  void theIndexHoldsNoPrivateKey() throws Exception {
    store(T0).add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.PENDING);
    String index = Files.readString(root.resolve("example.com/keys.json"));
    assertThat(index).doesNotContain("PRIVATE").contains("\"state\" : \"PENDING\"");
  }
}
