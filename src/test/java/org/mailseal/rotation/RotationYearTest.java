// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.Selector;
import org.mailseal.keys.SelectorTemplate;
import org.mailseal.testing.MutableClock;

/**
 * A year of quarterly rotations of example.com (RSA and Ed25519) on a real file key store with a
 * clock the test moves: DNS late, DNS wrong, the process down across a scheduled time, and a
 * compromised key in the middle. Every reconcile's transitions and the resulting states are
 * asserted.
 */
class RotationYearTest {
  private static final String D = "example.com";
  private static final RotationPolicy POLICY =
      new RotationPolicy(
          List.of(KeyAlgorithm.RSA, KeyAlgorithm.ED25519),
          2048,
          "0 0 3 1 1/3 ?", // 03:00 UTC on the 1st of Jan, Apr, Jul, Oct
          Duration.ofHours(72),
          Duration.ofDays(14),
          Duration.ofDays(7));

  @TempDir Path dir;
  private final Set<String> published = new HashSet<>();
  private MutableClock clock;
  private FileKeyStore store;
  private Reconciler reconciler;

  private List<String> reconcile(String at) throws Exception {
    clock.set(Instant.parse(at));
    return reconciler.reconcile(D, POLICY).stream().map(Transition::describe).toList();
  }

  /** selector=STATE for every key, sorted by selector. */
  private String states() throws Exception {
    TreeMap<String, String> m = new TreeMap<>();
    for (DkimKey k : store.list(D)) {
      m.put(k.selector().value(), k.state().name());
    }
    return m.toString();
  }

  private void publish(String... selectors) {
    published.addAll(List.of(selectors));
  }

  @Test
  void aYearOfQuarterlyRotations() throws Exception {
    clock = new MutableClock(Instant.parse("2026-01-10T09:00:00Z"));
    store = new FileKeyStore(dir, clock);
    reconciler =
        new Reconciler(
            store,
            new KeyGenerator(new SecureRandom()),
            SelectorTemplate.DEFAULT,
            clock,
            k -> published.contains(k.selector().value()));

    // First start: no keys, one of each algorithm is made and must be published.
    assertThat(reconcile("2026-01-10T09:00:00Z"))
        .containsExactly(
            "generate rsa key for example.com (first key)",
            "generate ed25519 key for example.com (first key)");
    assertThat(states()).isEqualTo("{s20260110e=PENDING, s20260110r=PENDING}");
    assertThat(reconcile("2026-01-10T09:05:00Z")).isEmpty(); // a second firing does nothing

    // Published the same day, but the prepublish time has not passed.
    publish("s20260110r", "s20260110e");
    assertThat(reconcile("2026-01-12T09:00:00Z")).isEmpty();
    assertThat(reconcile("2026-01-13T09:00:00Z"))
        .containsExactly(
            "activate s20260110r of example.com", "activate s20260110e of example.com");
    assertThat(states()).isEqualTo("{s20260110e=ACTIVE, s20260110r=ACTIVE}");
    assertThat(reconcile("2026-01-13T09:10:00Z")).isEmpty();

    // April 1st: the schedule fires; new keys are PENDING, the old ones keep signing.
    assertThat(reconcile("2026-03-31T23:00:00Z")).isEmpty();
    assertThat(reconcile("2026-04-01T03:00:00Z"))
        .allMatch(s -> s.startsWith("generate ") && s.endsWith("(scheduled 2026-04-01T03:00:00Z)"))
        .hasSize(2);
    assertThat(states())
        .isEqualTo(
            "{s20260110e=ACTIVE, s20260110r=ACTIVE, s20260401e=PENDING, s20260401r=PENDING}");

    // DNS is late: nothing changes, then past the 7-day deadline every reconcile raises an alert.
    assertThat(reconcile("2026-04-05T03:00:00Z")).isEmpty();
    assertThat(reconcile("2026-04-08T03:00:00Z"))
        .containsExactly(
            "DNS does not show s20260401r._domainkey.example.com past its deadline; the old key keeps signing",
            "DNS does not show s20260401e._domainkey.example.com past its deadline; the old key keeps signing");
    assertThat(states()).contains("s20260110r=ACTIVE", "s20260110e=ACTIVE");

    // The operator publishes the Ed25519 record right and the RSA one wrong (not shown as ours).
    publish("s20260401e");
    assertThat(reconcile("2026-04-10T03:00:00Z"))
        .containsExactly(
            "DNS does not show s20260401r._domainkey.example.com past its deadline; the old key keeps signing",
            "activate s20260401e of example.com");
    assertThat(states())
        .isEqualTo(
            "{s20260110e=RETIRED, s20260110r=ACTIVE, s20260401e=ACTIVE, s20260401r=PENDING}");
    publish("s20260401r");
    assertThat(reconcile("2026-04-11T03:00:00Z"))
        .containsExactly("activate s20260401r of example.com");
    assertThat(states())
        .isEqualTo(
            "{s20260110e=RETIRED, s20260110r=RETIRED, s20260401e=ACTIVE, s20260401r=ACTIVE}");

    // Grace periods end one at a time: 14 days after each retirement.
    assertThat(reconcile("2026-04-24T03:00:00Z"))
        .containsExactly("revoke s20260110e of example.com (grace over)");
    assertThat(reconcile("2026-04-25T03:00:00Z"))
        .containsExactly("revoke s20260110r of example.com (grace over)");

    // The process is down from June 20th to July 15th: the July 1st generation happens once.
    assertThat(reconcile("2026-06-20T00:00:00Z")).isEmpty();
    assertThat(reconcile("2026-07-15T08:00:00Z"))
        .hasSize(2)
        .allMatch(s -> s.endsWith("(scheduled 2026-07-01T03:00:00Z)"));
    assertThat(reconcile("2026-07-15T08:01:00Z")).isEmpty();
    publish("s20260715r", "s20260715e");
    assertThat(reconcile("2026-07-18T08:00:00Z"))
        .containsExactly(
            "activate s20260715r of example.com", "activate s20260715e of example.com");

    // The April keys, retired on July 18th, leave 14 days later.
    assertThat(reconcile("2026-08-01T08:00:00Z"))
        .containsExactly(
            "revoke s20260401r of example.com (grace over)",
            "revoke s20260401e of example.com (grace over)");

    // August 10th: the Ed25519 key is compromised and revoked at once (keys revoke).
    clock.set(Instant.parse("2026-08-10T12:00:00Z"));
    store.transition(D, new Selector("s20260715e"), KeyState.REVOKED);
    assertThat(reconcile("2026-08-10T12:00:00Z"))
        .containsExactly("generate ed25519 key for example.com (no ACTIVE key left)");
    // Its successor signs as soon as DNS shows it: no prepublish wait with nothing signing.
    assertThat(reconcile("2026-08-10T12:30:00Z")).isEmpty();
    publish("s20260810e");
    assertThat(reconcile("2026-08-10T13:00:00Z"))
        .containsExactly("activate s20260810e of example.com");

    // October and January rotate as scheduled; a clock set back does no harm.
    assertThat(reconcile("2026-08-05T08:00:00Z")).isEmpty();
    assertThat(reconcile("2026-10-01T03:00:00Z"))
        .containsExactly(
            "generate rsa key for example.com (scheduled 2026-10-01T03:00:00Z)",
            "generate ed25519 key for example.com (scheduled 2026-10-01T03:00:00Z)");
    publish("s20261001r", "s20261001e");
    assertThat(reconcile("2026-10-04T03:00:00Z"))
        .hasSize(2)
        .allMatch(s -> s.startsWith("activate "));
    assertThat(reconcile("2027-01-01T03:00:00Z"))
        .filteredOn(s -> s.startsWith("generate "))
        .hasSize(2);
    assertThat(
            store.list(D).stream()
                .filter(k -> k.state() == KeyState.ACTIVE)
                .map(k -> k.selector().value()))
        .containsExactlyInAnyOrder("s20261001r", "s20261001e");
  }
}
