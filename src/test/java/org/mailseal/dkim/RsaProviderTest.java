// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The native RSA provider signs, where it can load, and gives the JDK's exact bytes. */
class RsaProviderTest {
  @Test
  void onLinuxX8664TheNativeProviderSignsRsa() {
    assumeTrue(
        System.getProperty("os.name").startsWith("Linux")
            && System.getProperty("os.arch").matches("amd64|x86_64"),
        "the native library is built for Linux x86-64 only");
    assertThat(SignatureAlgorithms.rsaProviderName()).isEqualTo("AmazonCorrettoCryptoProvider");
  }

  @Test
  void theSignerGivesTheSameSignatureAsTheJdkAndItVerifies() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();
    SignatureAlgorithms.Signer signer =
        SignatureAlgorithms.signer(Algorithm.RSA_SHA256, pair.getPrivate());
    Random random = new Random(6376);
    for (int i = 0; i < 20; i++) {
      byte[] data = new byte[1 + random.nextInt(600)];
      random.nextBytes(data);
      Signature jdk = Signature.getInstance("SHA256withRSA", "SunRsaSign");
      jdk.initSign(pair.getPrivate());
      jdk.update(data);
      byte[] expected = jdk.sign();
      byte[] actual = signer.sign(data);
      assertThat(actual).isEqualTo(expected);
      Signature verify = Signature.getInstance("SHA256withRSA", "SunRsaSign");
      verify.initVerify(pair.getPublic());
      verify.update(data);
      assertThat(verify.verify(actual)).isTrue();
    }
  }
}
