// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.Selector;

/**
 * {@link RotationPlanner#scheduled} and the planner's catch-up agree: between them, one scheduled
 * time makes one key, whichever runs first, and a firing a few milliseconds early counts.
 */
class ScheduledGenerationTest {
  private static final String D = "example.com";
  private static final RotationPolicy POLICY =
      new RotationPolicy(
          List.of(KeyAlgorithm.ED25519),
          2048,
          "0 0 3 1 1/3 ?",
          Duration.ofHours(72),
          Duration.ofDays(14),
          Duration.ofDays(7));
  private static final Instant APRIL = Instant.parse("2026-04-01T03:00:00Z");

  private static DkimKey key(String selector, KeyState state, Instant created) throws Exception {
    return new DkimKey(
        D,
        new Selector(selector),
        KeyAlgorithm.ED25519,
        256,
        state,
        created,
        state == KeyState.ACTIVE ? created : null,
        null,
        null,
        DkimKeyRecord.forPublicKey(
            KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()));
  }

  @Test
  void firingGeneratesWhenNewestKeyPredatesIt() throws Exception {
    List<DkimKey> keys =
        List.of(key("s20260101e", KeyState.ACTIVE, APRIL.minus(Duration.ofDays(90))));
    assertThat(RotationPlanner.scheduled(D, keys, APRIL, POLICY))
        .extracting(Transition::describe)
        .containsExactly("generate ed25519 key for example.com (scheduled 2026-04-01T03:00:00Z)");
  }

  @Test
  void firingWithPendingKeyGeneratesNothing() throws Exception {
    List<DkimKey> keys =
        List.of(
            key("s20260101e", KeyState.ACTIVE, APRIL.minus(Duration.ofDays(90))),
            key("s20260325e", KeyState.PENDING, APRIL.minus(Duration.ofDays(7))));
    assertThat(RotationPlanner.scheduled(D, keys, APRIL, POLICY)).isEmpty();
  }

  @Test
  void firingAfterCatchUpKeyWasActivatedGeneratesNothing() throws Exception {
    // The reconcile at start caught up the firing and its key went live before the misfire ran.
    List<DkimKey> keys = List.of(key("s20260401e", KeyState.ACTIVE, APRIL.plusSeconds(30)));
    assertThat(RotationPlanner.scheduled(D, keys, APRIL.plusSeconds(10), POLICY)).isEmpty();
  }

  @Test
  void keyMadeByEarlyFiringCountsForItsScheduledTime() throws Exception {
    // Quartz may fire up to a few milliseconds before the scheduled time.
    DkimKey early = key("s20260401e", KeyState.ACTIVE, APRIL.minusMillis(2));
    assertThat(RotationPlanner.scheduled(D, List.of(early), APRIL, POLICY)).isEmpty();
    assertThat(
            RotationPlanner.plan(
                D, List.of(early), APRIL.plus(Duration.ofDays(10)), POLICY, k -> true))
        .as("the catch-up sees the April generation done")
        .isEmpty();
  }
}
