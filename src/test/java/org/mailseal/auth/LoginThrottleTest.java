// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.mailseal.testing.MutableClock;

class LoginThrottleTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));

  @Test
  void delaysGrowThenLockOutAndSuccessClearsTheUser() {
    LoginThrottle t = new LoginThrottle(clock);
    t.failed("192.0.2.1", "alice@example.com");
    t.failed("192.0.2.1", "alice@example.com");
    assertThat(t.check("192.0.2.1", "alice@example.com")).isEmpty(); // two free failures
    t.failed("192.0.2.1", "alice@example.com");
    assertThat(t.check("192.0.2.1", "alice@example.com"))
        .contains(new LoginThrottle.Verdict.Wait(clock.instant().plusSeconds(1)));
    t.failed("192.0.2.1", "alice@example.com");
    assertThat(t.check("192.0.2.1", "ALICE@example.com"))
        .contains(new LoginThrottle.Verdict.Wait(clock.instant().plusSeconds(2)));
    clock.set(clock.instant().plusSeconds(2));
    assertThat(t.check("192.0.2.1", "alice@example.com")).isEmpty();
    for (int i = 0; i < 6; i++) {
      t.failed("192.0.2.1", "alice@example.com");
    }
    assertThat(t.check("198.51.100.9", "alice@example.com"))
        .contains(new LoginThrottle.Verdict.Locked(clock.instant().plus(LoginThrottle.LOCKOUT)));
    // Another user from the same address is locked out too: the address failed ten times.
    assertThat(t.check("192.0.2.1", "bob@example.com"))
        .get()
        .isInstanceOf(LoginThrottle.Verdict.Locked.class);
    clock.set(clock.instant().plus(LoginThrottle.LOCKOUT));
    assertThat(t.check("198.51.100.9", "alice@example.com")).isEmpty();
    t.failed("198.51.100.9", "carol@example.com");
    t.succeeded("198.51.100.9", "carol@example.com");
    assertThat(t.check("203.0.113.1", "carol@example.com")).isEmpty();
  }

  @Test
  void delayIsCapped() {
    LoginThrottle t = new LoginThrottle(clock);
    for (int i = 0; i < 9; i++) {
      t.failed("192.0.2.1", "u" + i); // nine users, so only the address accumulates
    }
    assertThat(t.check("192.0.2.1", "new").orElseThrow().until())
        .isEqualTo(clock.instant().plus(Duration.ofSeconds(30)));
  }
}
