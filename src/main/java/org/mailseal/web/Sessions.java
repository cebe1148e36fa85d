// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's logins. A session is a random 256-bit token in a cookie, with its own CSRF token
 * for forms. It ends after {@code idle} without a request, after {@code max} in any case, at
 * logout, and as soon as the user's credential version changes (password changed, user removed or
 * no longer an admin). The map holds the tokens' SHA-256, not the tokens, and at most {@link
 * #MAX_SESSIONS} sessions (the least recently used go first). Thread-safe.
 */
final class Sessions {
  static final int MAX_SESSIONS = 1000;

  /** One login. {@code flash} is a one-line message for the next page, then cleared. */
  static final class Session {
    final String user;
    final String credentialVersion;
    final String csrf;
    final Instant created;
    volatile Instant lastSeen;
    volatile String flash = "";

    Session(String user, String credentialVersion, String csrf, Instant created) {
      this.user = user;
      this.credentialVersion = credentialVersion;
      this.csrf = csrf;
      this.created = created;
      this.lastSeen = created;
    }

    /** Takes the flash message, leaving none. */
    String takeFlash() {
      String f = flash;
      flash = "";
      return f;
    }
  }

  private final AdminLogin login;
  private final Clock clock;
  private final SecureRandom random;
  private final Duration idle;
  private final Duration max;
  private final Map<String, Session> byHash =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
          return size() > MAX_SESSIONS;
        }
      };

  Sessions(AdminLogin login, Clock clock, SecureRandom random, Duration idle, Duration max) {
    this.login = login;
    this.clock = clock;
    this.random = random;
    this.idle = idle;
    this.max = max;
  }

  /** Starts a session for an admin who just logged in; returns its token. */
  String start(AdminLogin.Admin admin) {
    String token = token();
    Session s = new Session(admin.user(), admin.credentialVersion(), token(), clock.instant());
    synchronized (byHash) {
      byHash.put(hash(token), s);
    }
    return token;
  }

  /** The live session of {@code token}, ending it when it has expired or its user changed. */
  Optional<Session> find(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    String key = hash(token);
    Session s;
    synchronized (byHash) {
      s = byHash.get(key);
    }
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    boolean expired = !now.isBefore(s.lastSeen.plus(idle)) || !now.isBefore(s.created.plus(max));
    if (expired
        || !login.credentialVersion(s.user).map(s.credentialVersion::equals).orElse(false)) {
      end(token);
      return Optional.empty();
    }
    s.lastSeen = now;
    return Optional.of(s);
  }

  void end(String token) {
    if (token == null) {
      return;
    }
    synchronized (byHash) {
      byHash.remove(hash(token));
    }
  }

  Duration max() {
    return max;
  }

  /** A fresh random token: 32 bytes, URL-safe base64. */
  String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Compares two tokens in time that does not depend on where they differ. */
  static boolean same(String expected, String given) {
    return given != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.UTF_8));
  }

  private static String hash(String token) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
