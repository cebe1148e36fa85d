// SPDX-License-Identifier: Apache-2.0
package org.mailseal.testing;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id hashes at a test's cost (1 MiB, one pass) in the encoding the users file holds, for
 * fixtures whose tests are about logins rather than about hashing. {@code PasswordHasher.verify}
 * reads the parameters from the hash and runs the same Argon2id on it in under a millisecond
 * instead of some 45 ms at the production cost (19 MiB, two passes), which PasswordHasherTest
 * covers. What a test hashes through PasswordHasher, a command or the dashboard keeps that cost.
 */
public final class CheapHash {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final int MEMORY_KIB = 1024;
  private static final int ITERATIONS = 1;

  private CheapHash() {}

  /** A new hash of {@code password}, with a fresh salt. */
  public static String of(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(MEMORY_KIB)
            .withIterations(ITERATIONS)
            .withParallelism(1)
            .withSalt(salt)
            .build());
    byte[] hash = new byte[32];
    g.generateBytes(password.getBytes(StandardCharsets.UTF_8), hash);
    return "$argon2id$v=19$m="
        + MEMORY_KIB
        + ",t="
        + ITERATIONS
        + ",p=1$"
        + B64.encodeToString(salt)
        + "$"
        + B64.encodeToString(hash);
  }
}
