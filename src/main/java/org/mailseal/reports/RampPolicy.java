// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

/**
 * When the next step of the DMARC ramp is safe, per domain ({@code domains.<d>.dmarc.ramp}).
 *
 * @param alignedShare the least share (0 to 1) of a day's non-forged mail that must be aligned for
 *     the day to count as clean
 * @param quarantineAfterDays clean days at {@code p=none} before {@code p=quarantine; t=y}
 * @param dropTestAfterDays clean days at {@code p=quarantine; t=y} before dropping {@code t=y}
 * @param rejectAfterDays clean days at {@code p=quarantine} before {@code p=reject}
 * @param staleAfterDays reports older than this many days do not count as current: with none newer,
 *     no step is advised
 */
public record RampPolicy(
    double alignedShare,
    int quarantineAfterDays,
    int dropTestAfterDays,
    int rejectAfterDays,
    int staleAfterDays) {

  /** 99 % for 14 days, 14 clean days in test mode, 30 more before reject; reports within 3 days. */
  public static final RampPolicy DEFAULT = new RampPolicy(0.99, 14, 14, 30, 3);

  public RampPolicy {
    if (!(alignedShare > 0 && alignedShare <= 1)) {
      throw new IllegalArgumentException("RampPolicy: alignedShare must be in (0, 1]");
    }
    if (quarantineAfterDays < 1 || dropTestAfterDays < 1 || rejectAfterDays < 1) {
      throw new IllegalArgumentException("RampPolicy: days must be at least 1");
    }
    if (staleAfterDays < 1) {
      throw new IllegalArgumentException("RampPolicy: staleAfterDays must be at least 1");
    }
  }

  /** The clean days needed to leave {@code step}; 0 at the end of the ramp. */
  public int daysToLeave(RampStep step) {
    return switch (step) {
      case NONE -> quarantineAfterDays;
      case QUARANTINE_TESTING -> dropTestAfterDays;
      case QUARANTINE -> rejectAfterDays;
      case REJECT -> 0;
    };
  }

  /** The most days any verdict looks back. */
  public int longestDays() {
    return Math.max(quarantineAfterDays, Math.max(dropTestAfterDays, rejectAfterDays));
  }
}
