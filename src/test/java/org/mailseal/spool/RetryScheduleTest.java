// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryScheduleTest {
  private static final Instant ACCEPTED = Instant.parse("2026-11-22T10:00:00Z");

  private static RetrySchedule noJitter() {
    return RetrySchedule.defaults(new SplittableRandom(1)).withJitter(0);
  }

  @ParameterizedTest(name = "after {0} attempts wait {1} min")
  @CsvSource({"0, 0", "1, 1", "2, 5", "3, 15", "4, 30", "5, 60", "6, 60", "7, 60", "100, 60"})
  void defaultWaitsGrowThenRepeatHourly(int attempts, long minutes) {
    Instant now = ACCEPTED.plus(Duration.ofHours(2));

    RetryDecision d = noJitter().next(attempts, ACCEPTED, now);

    assertThat(d).isEqualTo(new RetryDecision.RetryAt(now.plus(Duration.ofMinutes(minutes))));
  }

  @Test
  void jitterStaysWithinTenPercentAndRepeatsForTheSameSeed() {
    Instant now = ACCEPTED.plus(Duration.ofHours(2));
    RetrySchedule a = RetrySchedule.defaults(new SplittableRandom(42));
    RetrySchedule b = RetrySchedule.defaults(new SplittableRandom(42));
    boolean varied = false;
    for (int i = 0; i < 200; i++) {
      Instant at = a.next(5, ACCEPTED, now).retryAt().orElseThrow();
      assertThat(b.next(5, ACCEPTED, now).retryAt()).contains(at);
      assertThat(Duration.between(now, at))
          .isBetween(Duration.ofMinutes(54), Duration.ofMinutes(66));
      varied |= !at.equals(now.plus(Duration.ofHours(1)));
    }
    assertThat(varied).isTrue();
  }

  @Test
  void messageOlderThanMaxAgeExpires() {
    Instant deadline = ACCEPTED.plus(Duration.ofDays(5));

    assertThat(noJitter().next(40, ACCEPTED, deadline))
        .isEqualTo(new RetryDecision.Expired(deadline));
    assertThat(noJitter().next(40, ACCEPTED, deadline.plusSeconds(1)).retryAt()).isEmpty();
  }

  @Test
  void lastRetryIsClampedToTheDeadline() {
    Instant deadline = ACCEPTED.plus(Duration.ofDays(5));
    Instant now = deadline.minus(Duration.ofMinutes(10));

    assertThat(noJitter().next(40, ACCEPTED, now)).isEqualTo(new RetryDecision.RetryAt(deadline));
  }

  @Test
  void delayWarningOnlyWhenConfiguredAndOldEnough() {
    RetrySchedule s = noJitter().withDelayWarning(Duration.ofHours(4));

    assertThat(s.isDelayed(ACCEPTED, ACCEPTED.plus(Duration.ofHours(3)))).isFalse();
    assertThat(s.isDelayed(ACCEPTED, ACCEPTED.plus(Duration.ofHours(4)))).isTrue();
    assertThat(noJitter().isDelayed(ACCEPTED, ACCEPTED.plus(Duration.ofDays(4)))).isFalse();
  }

  @Test
  void invalidOptionsFailNamingTheField() {
    SplittableRandom r = new SplittableRandom(1);
    assertThatThrownBy(
            () -> new RetrySchedule(List.of(), Duration.ofDays(1), Optional.empty(), 0, r))
        .hasMessageContaining("steps");
    assertThatThrownBy(() -> RetrySchedule.defaults(r).withJitter(0.9))
        .hasMessageContaining("jitter");
    assertThatThrownBy(() -> RetrySchedule.defaults(r).withMaxAge(Duration.ZERO))
        .hasMessageContaining("maxAge");
  }
}
