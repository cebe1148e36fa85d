// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemKeysTest {
  private static final Path KEYS = Path.of("src/test/resources/keys");

  @Test
  void readsRsaPkcs8AndPkcs1AsTheSameKey() throws Exception {
    PrivateKey pkcs8 = PemKeys.readPrivateKey(KEYS.resolve("rsa2048-pkcs8.pem"));
    PrivateKey pkcs1 = PemKeys.readPrivateKey(KEYS.resolve("rsa2048-pkcs1.pem"));
    assertThat(pkcs8.getAlgorithm()).isEqualTo("RSA");
    assertThat(pkcs1.getEncoded()).isEqualTo(pkcs8.getEncoded());
  }

  @Test
  void derivesThePublicKeyOpensslPrints() throws Exception {
    for (String name : new String[] {"rsa2048", "ed25519"}) {
      PrivateKey key = PemKeys.readPrivateKey(KEYS.resolve(name + "-pkcs8.pem"));
      PublicKey pub = PemKeys.publicKeyOf(key);
      assertThat(PemKeys.toPublicPem(pub).strip())
          .as(name)
          .isEqualTo(Files.readString(KEYS.resolve(name + "-public.pem")).strip());
    }
  }

  @Test
  void writesPkcs8ThatReadsBack(@TempDir Path dir) throws Exception {
    PrivateKey key = PemKeys.readPrivateKey(KEYS.resolve("ed25519-pkcs8.pem"));
    Path out = dir.resolve("k.pem");
    Files.writeString(out, PemKeys.toPkcs8Pem(key));
    assertThat(PemKeys.readPrivateKey(out).getEncoded()).isEqualTo(key.getEncoded());
    assertThat(PemKeys.ed25519Seed(key)).hasSize(32);
  }

  @Test
  void errorsNameTheFileAndNeverTheKey(@TempDir Path dir) throws Exception {
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(garbage, "not a key\n");
    assertThatThrownBy(() -> PemKeys.readPrivateKey(garbage))
        .isInstanceOf(KeyFormatException.class)
        .hasMessage(garbage + ": no PEM private key found");
    Path pub = KEYS.resolve("rsa2048-public.pem");
    assertThatThrownBy(() -> PemKeys.readPrivateKey(pub))
        .hasMessageContaining(pub + ": not an unencrypted private key");
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> PemKeys.readPrivateKey(missing))
        .hasMessage(missing + ": cannot read key file (no such file)");
  }
}
