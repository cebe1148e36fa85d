// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Hashes passwords with argon2id and checks argon2id and bcrypt hashes (bcrypt so that users can be
 * imported from other servers), in the PHC string formats other tools read: {@code
 * $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} and {@code $2y$12$…}. Comparisons take constant
 * time. Parameters: 19 MiB, 2 passes, 1 lane — OWASP's minimum for argon2id, sized for a 2-core
 * relay where a login should cost tens of milliseconds, not seconds.
 */
public final class PasswordHasher {
  /** Memory in KiB, passes and lanes of new hashes. */
  public static final int MEMORY_KIB = 19456;

  public static final int ITERATIONS = 2;
  public static final int PARALLELISM = 1;

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final SecureRandom random;
  private volatile String decoy;

  public PasswordHasher(SecureRandom random) {
    this.random = random;
  }

  /**
   * A hash of random noise that no password matches, made on the first call and then kept: what a
   * login for an unknown user is checked against, so that it costs the same hashing time as a known
   * one. One per hasher: authenticators over one hasher share it, so a new {@link Authenticator}
   * (each test makes one) costs no hash once its hasher has made the decoy.
   */
  public String decoy() {
    String d = decoy;
    if (d == null) {
      synchronized (this) {
        d = decoy;
        if (d == null) {
          byte[] noise = new byte[16];
          random.nextBytes(noise);
          d = hash(java.util.HexFormat.of().formatHex(noise).toCharArray());
          decoy = d;
        }
      }
    }
    return d;
  }

  /** A new argon2id hash of {@code password}, with a fresh salt. */
  public String hash(char[] password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] hash = argon2(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    return "$argon2id$v=19$m="
        + MEMORY_KIB
        + ",t="
        + ITERATIONS
        + ",p="
        + PARALLELISM
        + "$"
        + B64.encodeToString(salt)
        + "$"
        + B64.encodeToString(hash);
  }

  /** Whether {@code password} matches {@code encoded}; false for any hash it cannot read. */
  public boolean verify(char[] password, String encoded) {
    if (encoded.startsWith("$2a$") || encoded.startsWith("$2b$") || encoded.startsWith("$2y$")) {
      try {
        return OpenBSDBCrypt.checkPassword(encoded, password);
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    Argon2 a = Argon2.parse(encoded);
    if (a == null) {
      return false;
    }
    byte[] actual = argon2(password, a.salt, a.memory, a.iterations, a.parallelism, a.hash.length);
    return MessageDigest.isEqual(actual, a.hash);
  }

  /** Whether {@code encoded} was made with other parameters than new hashes get. */
  public boolean needsRehash(String encoded) {
    Argon2 a = Argon2.parse(encoded);
    return a == null
        || a.memory != MEMORY_KIB
        || a.iterations != ITERATIONS
        || a.parallelism != PARALLELISM;
  }

  private static byte[] argon2(
      char[] password, byte[] salt, int memory, int iterations, int lanes, int length) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memory)
            .withIterations(iterations)
            .withParallelism(lanes)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(params);
    byte[] out = new byte[length];
    byte[] pw = new String(password).getBytes(StandardCharsets.UTF_8);
    g.generateBytes(pw, out);
    java.util.Arrays.fill(pw, (byte) 0);
    return out;
  }

  /** A parsed argon2id PHC string. */
  private record Argon2(int memory, int iterations, int parallelism, byte[] salt, byte[] hash) {
    static Argon2 parse(String s) {
      String[] p = s.split("\\$");
      // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
      if (p.length != 6 || !p[1].equals("argon2id") || !p[2].equals("v=19")) {
        return null;
      }
      try {
        int m = 0;
        int t = 0;
        int l = 0;
        for (String kv : p[3].split(",")) {
          String[] x = kv.split("=");
          switch (x[0]) {
            case "m" -> m = Integer.parseInt(x[1]);
            case "t" -> t = Integer.parseInt(x[1]);
            case "p" -> l = Integer.parseInt(x[1]);
            default -> {
              return null;
            }
          }
        }
        byte[] salt = B64D.decode(p[4]);
        byte[] hash = B64D.decode(p[5]);
        if (m < 8 || t < 1 || l < 1 || salt.length < 8 || hash.length < 16) {
          return null;
        }
        return new Argon2(m, t, l, salt, hash);
      } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
        return null;
      }
    }
  }
}
