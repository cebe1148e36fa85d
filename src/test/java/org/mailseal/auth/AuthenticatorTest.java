// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.policy.SenderPattern;
import org.mailseal.testing.CheapHash;
import org.mailseal.testing.MutableClock;

/** Logins, and what the login cache may and may not let through. */
@Timeout(30)
class AuthenticatorTest {
  private static final String ALICE = "alice@example.com";

  /**
   * Argon2id hashes of the passwords alice has, made once for the class (a hash costs tens of
   * milliseconds); logins still verify against them with the real hasher.
   */
  private static final Map<String, String> HASHES =
      Map.of(
          "old-password", hash("old-password"),
          "new-password", hash("new-password"));

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
  private final SecureRandom random = new SecureRandom();
  private final PasswordHasher hasher = new PasswordHasher(random);
  private UserStore users;
  private InetAddress client;

  @BeforeEach
  void users() throws Exception {
    users = new UserStore(dir.resolve("users.yaml"), clock);
    users.put(alice("old-password"));
    client = InetAddress.getByName("192.0.2.7");
  }

  private static String hash(String password) {
    return CheapHash.of(password);
  }

  private User alice(String password) {
    return new User(ALICE, HASHES.get(password), List.of(SenderPattern.parse(ALICE)));
  }

  private Authenticator authenticator(Duration cache) {
    return new Authenticator(users, hasher, new LoginThrottle(clock), clock, random, cache);
  }

  private Authenticator.Outcome login(Authenticator a, String password) {
    return a.login(ALICE, password.toCharArray(), client);
  }

  /** Lets the user store see a change of its file. */
  private void fileChanged() {
    clock.advance(Duration.ofMinutes(1));
  }

  @Test
  void repeatedLoginIsRememberedAndStillSucceeds() {
    Authenticator a = authenticator(Duration.ofMinutes(10));

    assertThat(login(a, "old-password")).isInstanceOf(Authenticator.Success.class);
    assertThat(a.cachedLogins()).isEqualTo(1);
    assertThat(login(a, "old-password")).isInstanceOf(Authenticator.Success.class);
  }

  @Test
  void wrongPasswordFailsWhileTheRightOneIsRemembered() {
    Authenticator a = authenticator(Duration.ofMinutes(10));
    login(a, "old-password");

    Authenticator.Outcome wrong = login(a, "guess");

    assertThat(wrong).isInstanceOf(Authenticator.Failure.class);
    assertThat(((Authenticator.Failure) wrong).reason())
        .isEqualTo(Authenticator.Failure.Reason.BAD_CREDENTIALS);
  }

  @Test
  void changedPasswordEndsTheRememberedLogin() throws Exception {
    Authenticator a = authenticator(Duration.ofMinutes(10));
    login(a, "old-password");

    users.put(alice("new-password"));
    fileChanged();

    assertThat(login(a, "old-password")).isInstanceOf(Authenticator.Failure.class);
    assertThat(login(a, "new-password")).isInstanceOf(Authenticator.Success.class);
  }

  @Test
  void removedUserCannotLogInWithARememberedPassword() throws Exception {
    Authenticator a = authenticator(Duration.ofMinutes(10));
    login(a, "old-password");

    users.remove(ALICE);
    fileChanged();

    assertThat(login(a, "old-password")).isInstanceOf(Authenticator.Failure.class);
  }

  @Test
  void threeTyposThenTheRightPasswordWorksAtOnce() {
    Authenticator a = authenticator(Duration.ZERO);
    for (int i = 0; i < 3; i++) {
      assertThat(reply(login(a, "typo" + i))).startsWith("BAD_CREDENTIALS");
    }

    assertThat(login(a, "old-password")).isInstanceOf(Authenticator.Success.class);
  }

  @Test
  void tenFailuresLockTheAddressButTheOwnerLogsInFromAnotherAddressAtOnce() throws Exception {
    Authenticator a = authenticator(Duration.ZERO);
    InetAddress attacker = InetAddress.getByName("203.0.113.66");
    for (int i = 0; i < 10; i++) {
      assertThat(reply(a.login(ALICE, ("guess" + i).toCharArray(), attacker)))
          .startsWith("BAD_CREDENTIALS");
      clock.advance(Duration.ofSeconds(31)); // paced as the server asks
    }
    assertThat(reply(a.login(ALICE, "old-password".toCharArray(), attacker))).startsWith("LOCKED");

    assertThat(login(a, "old-password")).isInstanceOf(Authenticator.Success.class);
    assertThat(reply(a.login(ALICE, "old-password".toCharArray(), attacker)))
        .startsWith("LOCKED your address");
    // A wrong guess from a fresh address is still checked, and marks that address.
    assertThat(reply(login(a, "guess"))).startsWith("BAD_CREDENTIALS");
    assertThat(reply(login(a, "old-password"))).startsWith("THROTTLED");
  }

  private static String reply(Authenticator.Outcome o) {
    assertThat(o).isInstanceOf(Authenticator.Failure.class);
    Authenticator.Failure f = (Authenticator.Failure) o;
    return f.reason() + " " + f.scope() + " " + f.seconds();
  }

  @Test
  void withoutALoginCacheNothingIsRemembered() {
    Authenticator a = authenticator(Duration.ZERO);

    assertThat(login(a, "old-password")).isInstanceOf(Authenticator.Success.class);
    assertThat(a.cachedLogins()).isZero();
  }
}
