// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyFormatException;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.PemKeys;
import org.mailseal.keys.Selector;

/**
 * The life of a key, as a table: for a domain's keys, the time and what DNS shows, the transitions
 * {@link RotationPlanner#plan} decides. Every row runs under one policy: keys generated at 03:00
 * UTC on the first day of each quarter, published {@code 72h} before they sign, kept {@code 14d}
 * after they retire, and an alert when DNS does not show a new key after {@code 7d}.
 *
 * <p>How to read a row:
 *
 * <ul>
 *   <li><b>algorithms</b>: {@code e} (Ed25519) or {@code re} (RSA and Ed25519), each of which must
 *       have an ACTIVE key.
 *   <li><b>keys</b>: {@code ;}-separated, each {@code selector STATE made T [active T] [retired T]
 *       [revoked T]}: when it was made and entered each state since; a selector ending in {@code r}
 *       is an RSA key, in {@code e} an Ed25519 one.
 *   <li><b>times</b> are of 2026, UTC: {@code 04-01} is 2026-04-01 at 03:00 (the schedule's hour),
 *       {@code 04-01T02:59:59.998} says the time.
 *   <li><b>DNS shows</b>: the selectors whose exact record DNS shows; {@code -} for none.
 *   <li><b>then</b>: the transitions, {@code ;}-separated, in the planner's order (per algorithm:
 *       publish, activate or alert, then revocations); {@code -} for none. {@code publish alg:
 *       reason} generates a key; {@code dns-late} is the alert that DNS does not show a PENDING key
 *       past the deadline (the old key keeps signing).
 * </ul>
 */
class RotationPlannerTest {
  private static final String D = "example.com";
  private static final RotationPolicy ED25519 = policy(List.of(KeyAlgorithm.ED25519));
  private static final RotationPolicy BOTH =
      policy(List.of(KeyAlgorithm.RSA, KeyAlgorithm.ED25519));

  /** Key records do not matter to the plan; these make valid keys of each algorithm. */
  private static final DkimKeyRecord RSA_RECORD = record("rsa2048-pkcs8.pem");

  private static final DkimKeyRecord ED25519_RECORD = record("ed25519-pkcs8.pem");

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
"""
# case                                     | algs | keys                                                                                                                   | now            | DNS shows | then
# A domain's first start, and losing every key
first start makes a key                    | e    | -                                                                                                                      | 01-01          | -         | publish ed25519: first key
first start makes one key per algorithm    | re   | -                                                                                                                      | 01-01          | -         | publish rsa: first key; publish ed25519: first key
a missing algorithm gets its first key     | re   | s0101r ACTIVE made 01-01 active 01-01                                                                                  | 01-02          | -         | publish ed25519: first key
every key revoked: a new one at once       | e    | s0101e REVOKED made 01-01 active 01-01 revoked 02-10                                                                   | 02-10          | -         | publish ed25519: no ACTIVE key left
# The schedule
nothing is due before the schedule         | e    | s0101e ACTIVE made 01-01 active 01-04                                                                                  | 04-01T02:59:59 | -         | -
the schedule's time makes a key            | e    | s0101e ACTIVE made 01-01 active 01-04                                                                                  | 04-01          | -         | publish ed25519: scheduled 2026-04-01T03:00:00Z
firings missed while down make one key     | e    | s0101e ACTIVE made 01-01 active 01-04                                                                                  | 08-15          | -         | publish ed25519: scheduled 2026-04-01T03:00:00Z
a key made just early counts for its time  | e    | s0401e ACTIVE made 04-01T02:59:59.998 active 04-04                                                                     | 05-01          | -         | -
a PENDING key holds the schedule back      | e    | s0101e ACTIVE made 01-01 active 01-04; s0401e PENDING made 04-01                                                       | 07-01          | -         | dns-late s0401e
# Activation: the prepublish time and DNS
shown but still in its prepublish time     | e    | s0101e ACTIVE made 01-01 active 01-04; s0401e PENDING made 04-01                                                       | 04-04T02:59    | s0401e    | -
shown once prepublish is over: activated   | e    | s0101e ACTIVE made 01-01 active 01-04; s0401e PENDING made 04-01                                                       | 04-04          | s0401e    | activate s0401e
prepublish over but DNS does not show it   | e    | s0101e ACTIVE made 01-01 active 01-04; s0401e PENDING made 04-01                                                       | 04-04          | s0101e    | -
DNS still silent at the deadline: alert    | e    | s0101e ACTIVE made 01-01 active 01-04; s0401e PENDING made 04-01                                                       | 04-08          | -         | dns-late s0401e
shown late: activated, no alert            | e    | s0101e ACTIVE made 01-01 active 01-04; s0401e PENDING made 04-01                                                       | 04-20          | s0401e    | activate s0401e
a compromise does not wait for prepublish  | e    | s0101e REVOKED made 01-01 active 01-04 revoked 02-10; s0210e PENDING made 02-10                                        | 02-10T03:05    | s0210e    | activate s0210e
a first key waits for its prepublish       | e    | s0101e PENDING made 01-01                                                                                              | 01-02          | s0101e    | -
each algorithm is planned on its own       | re   | s0101r ACTIVE made 01-01 active 01-04; s0101e ACTIVE made 01-01 active 01-04; s0401e PENDING made 04-01                | 04-04          | s0401e    | publish rsa: scheduled 2026-04-01T03:00:00Z; activate s0401e
# Retirement and revocation
retired key kept during its grace          | e    | s0101e RETIRED made 01-01 active 01-04 retired 04-04; s0401e ACTIVE made 04-01 active 04-04                            | 04-18T02:59    | -         | -
retired key revoked when grace is over     | e    | s0101e RETIRED made 01-01 active 01-04 retired 04-04; s0401e ACTIVE made 04-01 active 04-04                            | 04-18          | -         | revoke s0101e
a revoked key is left alone                | e    | s0101e REVOKED made 01-01 active 01-04 retired 04-04 revoked 04-18; s0401e ACTIVE made 04-01 active 04-04              | 06-30          | -         | -
activation and revocation in one reconcile | e    | s0101e RETIRED made 01-01 active 01-04 retired 04-04; s0401e ACTIVE made 04-01 active 04-04; s0701e PENDING made 07-01 | 07-04          | s0701e    | activate s0701e; revoke s0101e
""")
  void planDecidesTheTransitions(
      String name, String algs, String keys, String now, String dnsShows, String then) {
    RotationPolicy policy = algs.equals("re") ? BOTH : ED25519;
    Set<String> shown = Set.copyOf(list(dnsShows));

    List<Transition> plan =
        RotationPlanner.plan(
            D, keys(keys), time(now), policy, k -> shown.contains(k.selector().value()));

    assertThat(plan).extracting(RotationPlannerTest::brief).containsExactlyElementsOf(list(then));
  }

  /** A transition as the table writes it. */
  private static String brief(Transition t) {
    if (t instanceof Transition.Publish p) {
      return "publish " + p.algorithm().tag() + ": " + p.reason();
    } else if (t instanceof Transition.Activate a) {
      return "activate " + a.key().selector().value();
    } else if (t instanceof Transition.Revoke r) {
      return "revoke " + r.key().selector().value();
    }
    return "dns-late " + ((Transition.DnsLate) t).key().selector().value();
  }

  private static List<String> list(String cell) {
    return cell.equals("-")
        ? List.of()
        : Arrays.stream(cell.split(";")).map(String::strip).toList();
  }

  private static List<DkimKey> keys(String cell) {
    List<DkimKey> keys = new ArrayList<>();
    for (String spec : list(cell)) {
      keys.add(key(spec.split("\\s+")));
    }
    return keys;
  }

  /** {@code selector STATE made T [active T] [retired T] [revoked T]}. */
  private static DkimKey key(String[] words) {
    Selector selector = new Selector(words[0]);
    KeyState state = KeyState.valueOf(words[1]);
    Instant made = null;
    Instant active = null;
    Instant retired = null;
    Instant revoked = null;
    for (int i = 2; i + 1 < words.length; i += 2) {
      Instant t = time(words[i + 1]);
      switch (words[i]) {
        case "made" -> made = t;
        case "active" -> active = t;
        case "retired" -> retired = t;
        case "revoked" -> revoked = t;
        default -> throw new IllegalArgumentException("not a key field: " + words[i]);
      }
    }
    boolean rsa = words[0].endsWith("r");
    return new DkimKey(
        D,
        selector,
        rsa ? KeyAlgorithm.RSA : KeyAlgorithm.ED25519,
        rsa ? 2048 : 256,
        state,
        made,
        active,
        retired,
        revoked,
        rsa ? RSA_RECORD : ED25519_RECORD);
  }

  /** {@code MM-DD} (at 03:00) or {@code MM-DDTHH:MM[:SS[.fff]]}, of 2026, UTC. */
  private static Instant time(String cell) {
    String text = "2026-" + (cell.contains("T") ? cell : cell + "T03:00");
    return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
  }

  private static RotationPolicy policy(List<KeyAlgorithm> algorithms) {
    return new RotationPolicy(
        algorithms,
        2048,
        "0 0 3 1 1/3 ?",
        Duration.ofHours(72),
        Duration.ofDays(14),
        Duration.ofDays(7));
  }

  private static DkimKeyRecord record(String pem) {
    try {
      return DkimKeyRecord.forPublicKey(
          PemKeys.publicKeyOf(
              PemKeys.readPrivateKey(Path.of("src/test/resources/keys").resolve(pem))));
    } catch (KeyFormatException e) {
      throw new IllegalStateException(e);
    }
  }
}
