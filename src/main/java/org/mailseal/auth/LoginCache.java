// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Logins verified in the last {@code ttl}, so that a client that connects and authenticates for
 * every message (a cron script, a help desk, a newsletter tool) costs one argon2id hash per {@code
 * ttl} and not one per connection: at 100 messages per connection that hash was a fifth of the
 * relay's CPU.
 *
 * <p>What is kept, in memory only, per credential (a user's main password, or one of their app
 * passwords: the caller's key names both): the stored hash the password was verified against and an
 * HMAC-SHA256 of the password under a key drawn at start, never the password. A cached login counts
 * only while the users file still holds the same hash for that credential, so {@code users passwd},
 * {@code users remove} and {@code users app-password remove} end it at once. Only successes are
 * cached: a wrong password always pays the full hash, so its timing tells nothing about the cache,
 * and failures stay throttled. Thread-safe.
 */
final class LoginCache {
  private static final String HMAC = "HmacSHA256";

  private record Entry(String passwordHash, byte[] mac, Instant expires) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Duration ttl;
  private final Clock clock;
  private final SecretKeySpec key;

  /**
   * @param ttl how long a verified login is remembered; zero disables the cache
   */
  LoginCache(Duration ttl, Clock clock, SecureRandom random) {
    this.ttl = ttl;
    this.clock = clock;
    byte[] k = new byte[32];
    random.nextBytes(k);
    this.key = new SecretKeySpec(k, HMAC);
    Arrays.fill(k, (byte) 0);
  }

  /** Whether {@code password} was verified for {@code user} against {@code passwordHash} lately. */
  boolean matches(String user, String passwordHash, char[] password) {
    if (ttl.isZero()) {
      return false;
    }
    Entry e = entries.get(user);
    if (e == null) {
      return false;
    }
    if (!clock.instant().isBefore(e.expires())) {
      entries.remove(user, e);
      return false;
    }
    return e.passwordHash().equals(passwordHash) && MessageDigest.isEqual(e.mac(), mac(password));
  }

  /** Remembers that {@code password} verified for {@code user} against {@code passwordHash}. */
  void remember(String user, String passwordHash, char[] password) {
    if (ttl.isZero()) {
      return;
    }
    entries.put(user, new Entry(passwordHash, mac(password), clock.instant().plus(ttl)));
  }

  /** How many logins are remembered (for tests). */
  int size() {
    return entries.size();
  }

  private byte[] mac(char[] password) {
    ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    try {
      Mac m = Mac.getInstance(HMAC);
      m.init(key);
      m.update(bytes);
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK without " + HMAC, e);
    } finally {
      if (bytes.hasArray()) {
        Arrays.fill(bytes.array(), (byte) 0);
      }
    }
  }
}
