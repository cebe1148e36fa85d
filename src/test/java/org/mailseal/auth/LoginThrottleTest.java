// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailseal.testing.MutableClock;

@Timeout(10)
class LoginThrottleTest {
  private static final String ALICE = "alice@example.com";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
  private final LoginThrottle t = new LoginThrottle(clock);

  private static InetAddress ip(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void threeTyposNeverMakeAUserWait() {
    InetAddress home = ip("192.0.2.1");
    for (int i = 0; i < 3; i++) {
      assertThat(t.check(home, ALICE)).isEmpty();
      t.failed(home, ALICE);
    }
    assertThat(t.check(home, ALICE)).isEmpty();
  }

  @Test
  void delaysGrowPerAddressThenTenFailuresLockThatAddress() {
    InetAddress attacker = ip("192.0.2.1");
    for (int i = 0; i < 4; i++) {
      t.failed(attacker, "u" + i + "@example.com"); // other names: only the address counts
    }
    assertThat(t.check(attacker, ALICE))
        .contains(
            new LoginThrottle.Verdict.Wait(
                clock.instant().plusSeconds(1), LoginThrottle.Scope.ADDRESS));
    t.failed(attacker, "u4@example.com");
    assertThat(t.check(attacker, ALICE).orElseThrow().until())
        .isEqualTo(clock.instant().plusSeconds(2));
    clock.advance(Duration.ofSeconds(2));
    assertThat(t.check(attacker, ALICE)).isEmpty();
    for (int i = 5; i < 10; i++) {
      t.failed(attacker, "u" + i + "@example.com");
    }
    assertThat(t.check(attacker, ALICE))
        .contains(
            new LoginThrottle.Verdict.Locked(
                clock.instant().plus(LoginThrottle.LOCKOUT), LoginThrottle.Scope.ADDRESS));
    clock.advance(LoginThrottle.LOCKOUT);
    assertThat(t.check(attacker, ALICE)).isEmpty();
  }

  @Test
  void tenFailuresFromOneAddressLockThatAddressNotTheUser() {
    InetAddress attacker = ip("192.0.2.1");
    for (int i = 0; i < 10; i++) {
      t.failed(attacker, ALICE);
      clock.advance(Duration.ofSeconds(31)); // paced as the server asks
    }
    assertThat(t.check(attacker, ALICE)).get().isInstanceOf(LoginThrottle.Verdict.Locked.class);
    // The owner, from another network, is not held back at all.
    assertThat(t.check(ip("198.51.100.9"), ALICE)).isEmpty();
    assertThat(t.check(ip("2001:db8::1"), ALICE)).isEmpty();
  }

  @Test
  void userSlowdownHoldsBackOnlyAddressesThatFailedThemselves() {
    for (int i = 0; i < 6; i++) {
      t.failed(ip("203.0.113." + (i * 40 + 1)), ALICE); // six hosts of one /24, once each
    }
    InetAddress failedOnce = ip("198.51.100.7");
    t.failed(failedOnce, "bob@example.com");
    assertThat(t.check(failedOnce, ALICE))
        .get()
        .isEqualTo(
            new LoginThrottle.Verdict.Wait(
                clock.instant().plusSeconds(1), LoginThrottle.Scope.USER));
    assertThat(t.check(ip("192.0.2.55"), ALICE)).isEmpty(); // clean address: checked now
  }

  @Test
  void failuresSpreadOverFiftyAddressesOfOneNetworkAreSlowedAsOne() {
    int checked = 0;
    for (int i = 1; i <= 50; i++) {
      InetAddress a = ip("203.0.113." + i);
      if (t.check(a, ALICE).isEmpty()) {
        checked++;
        t.failed(a, ALICE);
      }
    }
    // At once, fifty fresh addresses of one /24 get the network's free failures and one more.
    assertThat(checked).isEqualTo(LoginThrottle.NETWORK.free() + 1);
    assertThat(t.check(ip("203.0.113.200"), "x@example.com"))
        .get()
        .extracting(LoginThrottle.Verdict::scope)
        .isEqualTo(LoginThrottle.Scope.NETWORK);
    assertThat(t.check(ip("203.0.114.1"), "x@example.com")).isEmpty(); // the next /24 is not
  }

  @Test
  void aNetworkPacedAsTheServerAsksIsLockedOut() {
    int failures = 0;
    for (int i = 1; i <= 50; i++) {
      InetAddress a = ip("203.0.113." + i);
      var v = t.check(a, "user" + i + "@example.com");
      if (v.isPresent() && v.get() instanceof LoginThrottle.Verdict.Locked) {
        break;
      }
      if (v.isPresent()) {
        clock.set(v.get().until());
      }
      t.failed(a, "user" + i + "@example.com");
      failures++;
    }
    assertThat(failures).isEqualTo(LoginThrottle.NETWORK.lockoutAfter());
    assertThat(t.check(ip("203.0.113.222"), ALICE))
        .get()
        .isEqualTo(
            new LoginThrottle.Verdict.Locked(
                clock.instant().plus(LoginThrottle.LOCKOUT), LoginThrottle.Scope.NETWORK));
    assertThat(t.check(ip("192.0.2.10"), ALICE)).isEmpty();
  }

  @Test
  void ipv6AddressesOfOneSlash56CountAsOneNetwork() {
    for (int i = 1; i <= 7; i++) {
      t.failed(ip("2001:db8:0:ab" + i + "0::" + i), "user" + i + "@example.com");
    }
    assertThat(LoginThrottle.network(ip("2001:db8:0:ab12::1")))
        .isEqualTo(LoginThrottle.network(ip("2001:db8:0:abff::9")));
    assertThat(t.check(ip("2001:db8:0:abff::9"), ALICE))
        .get()
        .extracting(LoginThrottle.Verdict::scope)
        .isEqualTo(LoginThrottle.Scope.NETWORK);
    assertThat(t.check(ip("2001:db8:0:ac00::9"), ALICE)).isEmpty();
  }

  @Test
  void successForgivesOnlyThatUsersFailuresFromThatAddress() {
    InetAddress a = ip("192.0.2.1");
    t.failed(a, ALICE);
    t.failed(a, ALICE);
    t.failed(a, "victim@example.com");
    t.failed(a, "victim@example.com");
    t.succeeded(a, ALICE);
    t.failed(a, "victim@example.com");
    assertThat(t.check(a, ALICE)).isEmpty(); // three left: the victim's
    t.failed(a, "victim@example.com");
    assertThat(t.check(a, ALICE)).isPresent();
  }

  @Test
  void delayIsCapped() {
    InetAddress a = ip("192.0.2.1");
    for (int i = 0; i < 9; i++) {
      t.failed(a, "u" + i);
    }
    assertThat(t.check(a, "new").orElseThrow().until())
        .isEqualTo(clock.instant().plus(LoginThrottle.MAX_DELAY));
  }

  @Test
  void oldFailuresAreForgotten() {
    InetAddress a = ip("192.0.2.1");
    for (int i = 0; i < 5; i++) {
      t.failed(a, ALICE);
    }
    clock.advance(LoginThrottle.WINDOW.plusSeconds(1));
    assertThat(t.check(a, ALICE)).isEmpty();
    assertThat(t.tracked()).isZero();
  }
}
