// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.List;

/** Makes new DKIM keys: RSA of 2048 (default), 3072 or 4096 bits, or Ed25519. */
public final class KeyGenerator {
  /** RSA sizes allowed for new keys; smaller keys are refused (RFC 8301 recommends 2048). */
  public static final List<Integer> RSA_SIZES = List.of(2048, 3072, 4096);

  public static final int DEFAULT_RSA_BITS = 2048;

  private final SecureRandom random;

  public KeyGenerator(SecureRandom random) {
    this.random = random;
  }

  /**
   * A new key pair; {@code bits} is ignored for Ed25519.
   *
   * @throws IllegalArgumentException for an RSA size other than 2048, 3072 or 4096
   */
  public KeyPair generate(KeyAlgorithm algorithm, int bits) {
    try {
      if (algorithm == KeyAlgorithm.ED25519) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        g.initialize(255, random);
        return g.generateKeyPair();
      }
      checkRsaBits(bits);
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), random);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK cannot make " + algorithm + " keys", e);
    }
  }

  /** Refuses RSA sizes that new keys may not have. */
  public static void checkRsaBits(int bits) {
    if (!RSA_SIZES.contains(bits)) {
      throw new IllegalArgumentException("RSA keys must have 2048, 3072 or 4096 bits, not " + bits);
    }
  }
}
