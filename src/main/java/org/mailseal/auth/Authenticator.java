// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a login against the users file, with failures throttled per client address, per network
 * and, as a slowdown only, per user name ({@link LoginThrottle}). An unknown user costs the same
 * hashing time as a known one, so the answer's timing does not tell which names exist. A login
 * verified lately is remembered for a while ({@link LoginCache}): repeating it with the same
 * password skips the hash. Thread-safe.
 */
public final class Authenticator {
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

  /** What became of one login. */
  public sealed interface Outcome permits Success, Failure {}

  /**
   * The user, with the senders they may use.
   *
   * @param appPassword the name of the app password used, empty for the main password
   */
  public record Success(User user, Optional<String> appPassword) implements Outcome {
    /** For logs: {@code password} or {@code app-password:NAME}. */
    public String credential() {
      return appPassword.map(n -> "app-password:" + n).orElse("password");
    }
  }

  /**
   * A refused login; the listener words it as its protocol wants ({@code submission.SmtpReplies}).
   *
   * @param scope for THROTTLED and LOCKED, whose failures hold the client back ("your address",
   *     "your network"); empty otherwise
   * @param seconds for THROTTLED and LOCKED, how long; 0 otherwise
   */
  public record Failure(Failure.Reason reason, String scope, long seconds) implements Outcome {
    /** Why a login failed. */
    public enum Reason {
      /** Unknown user or wrong password. */
      BAD_CREDENTIALS,
      /** Too many recent failures from the client: wait {@code seconds}. */
      THROTTLED,
      /** Far too many: locked for {@code seconds}. */
      LOCKED
    }

    static Failure badCredentials() {
      return new Failure(Reason.BAD_CREDENTIALS, "", 0);
    }
  }

  private final UserStore users;
  private final PasswordHasher hasher;
  private final LoginThrottle throttle;
  private final Clock clock;
  private final String dummyHash;
  private final LoginCache cache;

  /**
   * The hash an unknown user's password is checked against: argon2id of random noise. Made once per
   * process, by the first authenticator: every hasher uses the same parameters, so one serves all,
   * and an authenticator made again (a test's server, say) does not spend a hash on it.
   */
  private static volatile String decoy;

  /** An authenticator that remembers no login: every one is hashed. */
  public Authenticator(
      UserStore users,
      PasswordHasher hasher,
      LoginThrottle throttle,
      Clock clock,
      SecureRandom random) {
    this(users, hasher, throttle, clock, random, Duration.ZERO);
  }

  /**
   * @param loginCache how long a verified login is remembered; zero hashes every login
   */
  public Authenticator(
      UserStore users,
      PasswordHasher hasher,
      LoginThrottle throttle,
      Clock clock,
      SecureRandom random,
      Duration loginCache) {
    this.cache = new LoginCache(loginCache, clock, random);
    this.users = users;
    this.hasher = hasher;
    this.throttle = throttle;
    this.clock = clock;
    this.dummyHash = decoy(hasher, random);
  }

  private static String decoy(PasswordHasher hasher, SecureRandom random) {
    String d = decoy;
    if (d == null) {
      synchronized (Authenticator.class) {
        d = decoy;
        if (d == null) {
          byte[] noise = new byte[16];
          random.nextBytes(noise);
          d = hasher.hash(java.util.HexFormat.of().formatHex(noise).toCharArray());
          decoy = d;
        }
      }
    }
    return d;
  }

  /** Checks {@code password} for {@code name} from {@code client}; never logs the password. */
  public Outcome login(String name, char[] password, InetAddress client) {
    String ip = client.getHostAddress();
    String user = name.strip().toLowerCase(java.util.Locale.ROOT);
    Optional<LoginThrottle.Verdict> verdict = throttle.check(client, user);
    if (verdict.isPresent()) {
      LoginThrottle.Verdict v = verdict.get();
      long seconds = Math.max(1, Duration.between(clock.instant(), v.until()).toSeconds() + 1);
      boolean locked = v instanceof LoginThrottle.Verdict.Locked;
      log.warn(
          "auth throttled user=\"{}\" ip={} scope={} locked={} seconds={}",
          printable(user),
          ip,
          v.scope().name().toLowerCase(java.util.Locale.ROOT),
          locked,
          seconds);
      return new Failure(
          locked ? Failure.Reason.LOCKED : Failure.Reason.THROTTLED, v.scope().text(), seconds);
    }
    Optional<User> u = users.find(user);
    // A generated app password names its credential in its first group: hash only that one.
    Optional<AppPassword> app =
        u.flatMap(
            x ->
                AppPasswords.idOf(password)
                    .flatMap(
                        id ->
                            x.appPasswords().stream().filter(a -> a.id().equals(id)).findFirst()));
    Optional<String> used = app.map(AppPassword::name);
    boolean ok =
        verify(
            user,
            used,
            app.map(AppPassword::passwordHash).orElse(u.map(User::passwordHash).orElse(dummyHash)),
            password);
    if (!ok && app.isPresent()) {
      // A main password may happen to look like an app password.
      used = Optional.empty();
      ok = verify(user, used, u.get().passwordHash(), password);
    }
    ok &= u.isPresent();
    if (!ok) {
      throttle.failed(client, user);
      log.warn("auth failed user=\"{}\" ip={} known={}", printable(user), ip, u.isPresent());
      return Failure.badCredentials();
    }
    throttle.succeeded(client, user);
    Success success = new Success(u.get(), used);
    log.info("auth ok user=\"{}\" ip={} credential={}", user, ip, success.credential());
    return success;
  }

  /**
   * Whether {@code password} matches {@code hash}, the stored hash of {@code user}'s credential
   * {@code appPassword} (empty: the main password); remembered per credential, and only while the
   * file still holds that very hash, so a changed or removed credential stops at once.
   */
  private boolean verify(String user, Optional<String> appPassword, String hash, char[] password) {
    String key = user + "\0" + appPassword.orElse("");
    if (cache.matches(key, hash, password)) {
      return true;
    }
    if (hasher.verify(password, hash)) {
      cache.remember(key, hash, password);
      return true;
    }
    return false;
  }

  /** How many logins are remembered (for tests). */
  int cachedLogins() {
    return cache.size();
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      sb.append(c >= 32 && c < 127 && c != '"' ? c : '?');
    }
    return sb.toString();
  }
}
