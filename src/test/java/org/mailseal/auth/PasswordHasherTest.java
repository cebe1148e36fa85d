// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final PasswordHasher hasher = new PasswordHasher(new SecureRandom());

  @Test
  void argon2idHashesVerifyAndWrongPasswordsDoNot() {
    String h = hasher.hash("correct horse".toCharArray());
    assertThat(h).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(hasher.verify("correct horse".toCharArray(), h)).isTrue();
    assertThat(hasher.verify("correct hors".toCharArray(), h)).isFalse();
    assertThat(hasher.needsRehash(h)).isFalse();
    assertThat(hasher.hash("correct horse".toCharArray())).isNotEqualTo(h); // fresh salt
  }

  @Test
  void theDecoyIsOneCurrentHashThatAnEmptyPasswordDoesNotMatch() {
    String decoy = hasher.decoy();
    assertThat(decoy).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(hasher.needsRehash(decoy)).isFalse();
    assertThat(hasher.verify(new char[0], decoy)).isFalse();
    assertThat(hasher.decoy()).isSameAs(decoy);
    assertThat(new PasswordHasher(new SecureRandom()).decoy()).isNotEqualTo(decoy);
  }

  @Test
  void bcryptHashesFromElsewhereVerify() {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    String bcrypt = OpenBSDBCrypt.generate("2y", "imported".toCharArray(), salt, 10);
    assertThat(hasher.verify("imported".toCharArray(), bcrypt)).isTrue();
    assertThat(hasher.verify("other".toCharArray(), bcrypt)).isFalse();
    assertThat(hasher.needsRehash(bcrypt)).isTrue();
  }

  @Test
  void unreadableHashesNeverVerify() {
    assertThat(hasher.verify("x".toCharArray(), "")).isFalse();
    assertThat(hasher.verify("x".toCharArray(), "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA")).isFalse();
    assertThat(hasher.verify("x".toCharArray(), "plaintext")).isFalse();
  }
}
