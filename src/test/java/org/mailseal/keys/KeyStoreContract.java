// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KeyStore} does, run against each store by a subclass: the life of a key, the
 * order of lists, and that another instance over the same storage (another process or node) sees
 * every change.
 */
abstract class KeyStoreContract {
  static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
  static KeyPair rsa1;
  static KeyPair rsa2;
  static KeyPair ed1;

  @BeforeAll
  static void keys() throws Exception {
    // The stored test keys: generating two RSA pairs cost each store's tests half a second.
    rsa1 = stored("rsa2048-pkcs8.pem");
    rsa2 = stored("rsa2048-second-pkcs8.pem");
    ed1 = new KeyGenerator(new SecureRandom()).generate(KeyAlgorithm.ED25519, 0);
  }

  private static KeyPair stored(String file) throws KeyFormatException {
    PrivateKey key = PemKeys.readPrivateKey(Path.of("src/test/resources/keys", file));
    return new KeyPair(PemKeys.publicKeyOf(key), key);
  }

  /** A new instance of the store under test, over the test's storage, its clock fixed at now. */
  abstract KeyStore store(Instant now) throws Exception;

  @Test
  void storesKeysAndReadsThemBack() throws Exception {
    DkimKey k =
        store(T0)
            .add("Example.COM", new Selector("s20261122r"), rsa1.getPrivate(), KeyState.PENDING);
    assertThat(k.domain()).isEqualTo("example.com");
    assertThat(k.bits()).isEqualTo(2048);
    assertThat(k.created()).isEqualTo(T0);
    assertThat(k.state()).isEqualTo(KeyState.PENDING);
    KeyStore reopened = store(T0);
    assertThat(reopened.privateKey("example.com", new Selector("s20261122r")).getEncoded())
        .isEqualTo(rsa1.getPrivate().getEncoded());
    assertThat(reopened.list()).containsExactly(k);
    assertThat(reopened.find("example.com", new Selector("s20261122r"))).contains(k);
    assertThat(reopened.find("example.com", new Selector("other"))).isEmpty();
  }

  @Test
  void ed25519KeysRoundTrip() throws Exception {
    DkimKey k = store(T0).add("example.com", new Selector("e1"), ed1.getPrivate(), KeyState.ACTIVE);
    assertThat(k.algorithm()).isEqualTo(KeyAlgorithm.ED25519);
    assertThat(k.activated()).contains(T0);
    assertThat(store(T0).privateKey("example.com", new Selector("e1")).getEncoded())
        .isEqualTo(ed1.getPrivate().getEncoded());
  }

  @Test
  void listsAreOrderedByDomainThenCreationThenSelector() throws Exception {
    store(T0.plusSeconds(5))
        .add("b.example", new Selector("r1"), rsa1.getPrivate(), KeyState.PENDING);
    store(T0.plusSeconds(9))
        .add("a.example", new Selector("a1"), rsa1.getPrivate(), KeyState.PENDING);
    store(T0).add("a.example", new Selector("z1"), rsa2.getPrivate(), KeyState.PENDING);
    store(T0).add("a.example", new Selector("y1"), ed1.getPrivate(), KeyState.PENDING);
    assertThat(store(T0).list())
        .extracting(k -> k.domain() + "/" + k.selector())
        .containsExactly("a.example/y1", "a.example/z1", "a.example/a1", "b.example/r1");
    assertThat(store(T0).list("A.Example"))
        .extracting(k -> k.selector().value())
        .containsExactly("y1", "z1", "a1");
    assertThat(store(T0).list("c.example")).isEmpty();
  }

  @Test
  void activatingAKeyRetiresTheActiveKeyOfTheSameAlgorithmOnly() throws Exception {
    KeyStore s = store(T0);
    s.add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.ACTIVE);
    s.add("example.com", new Selector("e1"), ed1.getPrivate(), KeyState.ACTIVE);
    s.add("example.com", new Selector("r2"), rsa2.getPrivate(), KeyState.PENDING);
    Instant later = T0.plus(Duration.ofDays(3));
    DkimKey r2 = store(later).transition("example.com", new Selector("r2"), KeyState.ACTIVE);
    assertThat(r2.activated()).contains(later);
    assertThat(s.list("example.com"))
        .extracting(k -> k.selector().value() + "=" + k.state())
        .containsExactly("e1=ACTIVE", "r1=RETIRED", "r2=ACTIVE");
    DkimKey r1 = s.find("example.com", new Selector("r1")).orElseThrow();
    assertThat(r1.retired()).contains(later);
    assertThat(r1.activated()).contains(T0);
  }

  @Test
  void addingAnActiveKeyRetiresTheActiveKeyOfItsAlgorithm() throws Exception {
    KeyStore s = store(T0);
    s.add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.ACTIVE);
    s.add("example.com", new Selector("r2"), rsa2.getPrivate(), KeyState.ACTIVE);
    assertThat(s.list("example.com"))
        .extracting(k -> k.selector().value() + "=" + k.state())
        .containsExactly("r1=RETIRED", "r2=ACTIVE");
  }

  @Test
  void theLastActiveKeyCannotBeRetired() throws Exception {
    KeyStore s = store(T0);
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
    KeyStore s = store(T0);
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
    assertThatThrownBy(() -> s.privateKey("example.com", new Selector("zz")))
        .isInstanceOf(KeyStoreException.NoSuchKey.class);
  }

  @Test
  void aNewKeyStartsPendingOrActiveOnly() throws Exception {
    assertThatThrownBy(
            () ->
                store(T0)
                    .add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.RETIRED))
        .isInstanceOf(KeyStoreException.IllegalTransition.class)
        .hasMessage("a new key starts PENDING or ACTIVE, not RETIRED");
    assertThat(store(T0).list()).isEmpty();
  }

  @Test
  void anotherInstanceSeesEveryChange() throws Exception {
    KeyStore reader = store(T0);
    assertThat(reader.list("example.com")).isEmpty();
    KeyStore writer = store(T0);
    writer.add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.ACTIVE);
    writer.add("example.com", new Selector("r2"), rsa2.getPrivate(), KeyState.PENDING);
    assertThat(reader.list("example.com")).hasSize(2);
    writer.transition("example.com", new Selector("r2"), KeyState.ACTIVE);
    assertThat(reader.find("example.com", new Selector("r2")).orElseThrow().state())
        .isEqualTo(KeyState.ACTIVE);
  }

  @Test
  void nothingPrintsThePrivateKey() throws Exception {
    DkimKey k =
        store(T0).add("example.com", new Selector("r1"), rsa1.getPrivate(), KeyState.PENDING);
    assertThat(k.toString()).doesNotContain("PRIVATE");
  }
}
