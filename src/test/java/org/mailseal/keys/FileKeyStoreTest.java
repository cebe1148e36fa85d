// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileKeyStoreTest {
  static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
  static KeyPair rsa1;
  static KeyPair rsa2;
  static KeyPair ed1;

  @TempDir Path root;

  @BeforeAll
  static void keys() {
    KeyGenerator g = new KeyGenerator(new SecureRandom());
    rsa1 = g.generate(KeyAlgorithm.RSA, 2048);
    rsa2 = g.generate(KeyAlgorithm.RSA, 2048);
    ed1 = g.generate(KeyAlgorithm.ED25519, 0);
  }

  private FileKeyStore store(Instant now) {
    return new FileKeyStore(root, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void storesKeysPrivatelyAndReadsThemBack() throws Exception {
    DkimKey k =
        store(T0)
            .add("Example.COM", new Selector("s20261122r"), rsa1.getPrivate(), KeyState.PENDING);
    assertThat(k.domain()).isEqualTo("example.com");
    assertThat(k.bits()).isEqualTo(2048);
    assertThat(k.created()).isEqualTo(T0);
    Path pem = root.resolve("example.com/s20261122r.rsa.pem");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pem)))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("example.com"))))
        .isEqualTo("rwx------");
    FileKeyStore reopened = store(T0);
    assertThat(reopened.privateKey("example.com", new Selector("s20261122r")).getEncoded())
        .isEqualTo(rsa1.getPrivate().getEncoded());
    assertThat(reopened.list()).containsExactly(k);
  }

  @Test
  void activatingAKeyRetiresTheActiveKeyOfTheSameAlgorithmOnly() throws Exception {
    FileKeyStore s = store(T0);
    s.add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.ACTIVE);
    s.add("example.com", new Selector("e1"), ed1.getPrivate(), KeyState.ACTIVE);
    s.add("example.com", new Selector("r2"), rsa2.getPrivate(), KeyState.PENDING);
    Instant later = T0.plus(Duration.ofDays(3));
    store(later).transition("example.com", new Selector("r2"), KeyState.ACTIVE);
    assertThat(s.list("example.com"))
        .extracting(k -> k.selector().value() + "=" + k.state())
        .containsExactly("e1=ACTIVE", "r1=RETIRED", "r2=ACTIVE");
    DkimKey r1 = s.find("example.com", new Selector("r1")).orElseThrow();
    assertThat(r1.retired()).contains(later);
    assertThat(r1.activated()).contains(T0);
  }

  @Test
  void theLastActiveKeyCannotBeRetired() throws Exception {
    FileKeyStore s = store(T0);
    s.add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.ACTIVE);
    assertThatThrownBy(() -> s.transition("example.com", new Selector("r1"), KeyState.RETIRED))
        .isInstanceOf(KeyStoreException.IllegalTransition.class)
        .hasMessage(
            "cannot retire r1: it is the last ACTIVE key of example.com; activate its successor instead");
    // With an ACTIVE key of the other algorithm, retiring it is fine: the domain still signs.
    s.add("example.com", new Selector("e1"), ed1.getPrivate(), KeyState.ACTIVE);
    assertThat(s.transition("example.com", new Selector("r1"), KeyState.RETIRED).state())
        .isEqualTo(KeyState.RETIRED);
  }

  @Test
  void nothingGoesBackAndDuplicatesAreRefused() throws Exception {
    FileKeyStore s = store(T0);
    s.add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.PENDING);
    s.transition("example.com", new Selector("r1"), KeyState.REVOKED);
    assertThatThrownBy(() -> s.transition("example.com", new Selector("r1"), KeyState.ACTIVE))
        .isInstanceOf(KeyStoreException.IllegalTransition.class)
        .hasMessage("cannot move r1 of example.com from REVOKED to ACTIVE");
    assertThatThrownBy(
            () -> s.add("example.com", new Selector("r1"), rsa2.getPrivate(), KeyState.PENDING))
        .isInstanceOf(KeyStoreException.DuplicateSelector.class);
    assertThatThrownBy(() -> s.transition("example.com", new Selector("zz"), KeyState.ACTIVE))
        .isInstanceOf(KeyStoreException.NoSuchKey.class)
        .hasMessage("no key zz for example.com");
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
  void nothingPrintsThePrivateKey() throws Exception {
    DkimKey k =
        store(T0).add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.PENDING);
    assertThat(k.toString()).doesNotContain("PRIVATE");
    String index = Files.readString(root.resolve("example.com/keys.json"));
    assertThat(index).doesNotContain("PRIVATE").contains("\"state\" : \"PENDING\"");
  }
}
