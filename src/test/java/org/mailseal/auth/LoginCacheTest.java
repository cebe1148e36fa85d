// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.mailseal.testing.MutableClock;

class LoginCacheTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
  private final LoginCache cache =
      new LoginCache(Duration.ofMinutes(10), clock, new SecureRandom());

  @Test
  void rememberedLoginMatchesOnlyTheSamePasswordAndStoredHash() {
    cache.remember("alice@example.com", "$argon2id$one", "secret".toCharArray());

    assertThat(cache.matches("alice@example.com", "$argon2id$one", "secret".toCharArray()))
        .isTrue();
    assertThat(cache.matches("alice@example.com", "$argon2id$one", "Secret".toCharArray()))
        .isFalse();
    assertThat(cache.matches("alice@example.com", "$argon2id$two", "secret".toCharArray()))
        .as("the users file holds another hash now")
        .isFalse();
    assertThat(cache.matches("bob@example.com", "$argon2id$one", "secret".toCharArray())).isFalse();
  }

  @Test
  void rememberedLoginExpiresAfterItsTime() {
    cache.remember("alice@example.com", "$argon2id$one", "secret".toCharArray());

    clock.advance(Duration.ofMinutes(10).minusSeconds(1));
    assertThat(cache.matches("alice@example.com", "$argon2id$one", "secret".toCharArray()))
        .isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.matches("alice@example.com", "$argon2id$one", "secret".toCharArray()))
        .isFalse();
    assertThat(cache.size()).isZero();
  }

  @Test
  void zeroTimeRemembersNothing() {
    LoginCache off = new LoginCache(Duration.ZERO, clock, new SecureRandom());

    off.remember("alice@example.com", "$argon2id$one", "secret".toCharArray());

    assertThat(off.size()).isZero();
    assertThat(off.matches("alice@example.com", "$argon2id$one", "secret".toCharArray())).isFalse();
  }

  @Test
  void nonAsciiPasswordsAreToldApart() {
    cache.remember("alice@example.com", "$argon2id$one", "pässwörd".toCharArray());

    assertThat(cache.matches("alice@example.com", "$argon2id$one", "pässwörd".toCharArray()))
        .isTrue();
    assertThat(cache.matches("alice@example.com", "$argon2id$one", "passwort".toCharArray()))
        .isFalse();
  }
}
