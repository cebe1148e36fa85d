// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailseal.spool.RetrySchedule;

/**
 * Every configuration field gets the values at and just past its bounds: the configuration either
 * loads, and the parts {@code serve} builds from it accept it, or the loader names {@code
 * file:line:column: key} with a reason. Never an internal error.
 */
@Timeout(60)
class ConfigBoundaryTest {
  @TempDir Path dir;

  static final List<String> DURATIONS =
      List.of("0s", "1s", "-1s", "PT-1S", "PT0S", "36500d", "36501d", "99999999999999999w", "5x");
  static final List<String> SIZES = List.of("0", "1023", "1024", "1KiB", "99999999999GB", "-1");
  static final List<String> BOOLS = List.of("yes", "maybe");

  static List<String> ints(int min, int max) {
    return List.of(
        String.valueOf((long) min - 1),
        String.valueOf(min),
        String.valueOf(max),
        String.valueOf((long) max + 1),
        "99999999999999999999",
        "x");
  }

  static Stream<Arguments> fieldsAndValues() {
    List<Arguments> out = new ArrayList<>();
    Object[][] fields = {
      {"server.received-client-ip", BOOLS},
      {"server.relay-unsigned", BOOLS},
      {"server.shutdown-grace", DURATIONS},
      {"listeners.submission.port", ints(0, 65535)},
      {"listeners.submissions.port", ints(0, 65535)},
      {"listeners.submission.proxy-protocol", BOOLS},
      {"users.login-cache", DURATIONS},
      {"limits.message-size", SIZES},
      {"limits.recipients", ints(1, 100_000)},
      {"limits.connections", ints(1, 100_000)},
      {"limits.connections-per-ip", ints(1, 100_000)},
      {"limits.timeout", DURATIONS},
      {"limits.data-timeout", DURATIONS},
      {"limits.header-size", SIZES},
      {"limits.line-length", ints(0, 1_000_000)},
      {"limits.messages-per-hour", ints(1, 10_000_000)},
      {"limits.command-deadline", DURATIONS},
      {"limits.message-deadline", DURATIONS},
      {"limits.min-data-rate", ints(0, 1_000_000_000)},
      {"limits.data-rate-grace", DURATIONS},
      {"limits.session-lifetime", DURATIONS},
      {"keys.reconcile-interval", DURATIONS},
      {"spool.max-age", DURATIONS},
      {"delivery.workers", ints(1, 256)},
      {"delivery.delay-warning", DURATIONS},
      {"delivery.smarthost.port", ints(1, 65535)},
      {"delivery.smarthost.pool-size", ints(1, 100)},
      {"delivery.mx.port", ints(1, 65535)},
      {"delivery.mx.connections-per-destination", ints(1, 100)},
      {"admin.enabled", BOOLS},
      {"admin.port", ints(0, 65535)},
      {"domains.example.com.rsa-bits", ints(1, 65536)},
      {"domains.example.com.rotation.grace", DURATIONS},
      {"domains.example.com.rotation.prepublish", DURATIONS},
      {"domains.example.com.rotation.dns-deadline", DURATIONS},
    };
    for (Object[] f : fields) {
      @SuppressWarnings("unchecked")
      List<String> values = (List<String>) f[1];
      for (String v : values) {
        out.add(Arguments.of(f[0], v));
      }
    }
    return out.stream();
  }

  /** A configuration that sets {@code key} (dotted) to {@code value}, with one signing domain. */
  static String yaml(String key, String value) {
    String[] parts =
        key.startsWith("domains.example.com.")
            ? prepend("domains", "example.com", key.substring("domains.example.com.".length()))
            : key.split("\\.");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      sb.append("  ".repeat(i)).append(parts[i]).append(':');
      sb.append(i == parts.length - 1 ? " " + value + "\n" : "\n");
    }
    if (!key.startsWith("domains.")) {
      sb.append("domains:\n  example.com: {}\n");
    }
    return sb.toString();
  }

  private static String[] prepend(String a, String b, String rest) {
    List<String> all = new ArrayList<>(List.of(a, b));
    all.addAll(List.of(rest.split("\\.")));
    return all.toArray(new String[0]);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("fieldsAndValues")
  void eachFieldIsAcceptedOrRefusedWithItsPlaceNeverWithAnInternalError(String key, String value)
      throws Exception {
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(file, yaml(key, value));
    Throwable t = catchThrowable(() -> usedAsServeUsesIt(ConfigLoader.loadForServe(file)));
    if (t == null) {
      return;
    }
    assertThat(t).isInstanceOf(ConfigException.class);
    Pattern placed = Pattern.compile(Pattern.quote(file.toString()) + ":\\d+:\\d+: [a-z.-]+: .+");
    for (ConfigException.Problem p : ((ConfigException) t).problems()) {
      assertThat(p.toString()).matches(placed);
    }
  }

  /** What serve builds from the values that have bounds of their own downstream. */
  private static void usedAsServeUsesIt(MailsealConfig c) {
    RetrySchedule r = RetrySchedule.defaults(new SecureRandom()).withMaxAge(c.spool().maxAge());
    c.delivery().delayWarning().map(r::withDelayWarning);
    c.limits().timeout().toMillis();
    c.limits().sessionLifetime().toNanos();
    c.keys().reconcileInterval().toMillis();
  }

  @Test
  void zeroDurationsThatServeCannotUseAreRefusedWithTheirPlace() throws Exception {
    Path file = dir.resolve("zero.yaml");
    Files.writeString(
        file,
        "spool:\n  max-age: 0s\nkeys:\n  reconcile-interval: 0s\nlimits:\n  timeout: 0s\n"
            + "domains:\n  example.com: {}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Object::toString)
                    .containsExactly(
                        file + ":2:12: spool.max-age: must be more than 0s, found 0s",
                        file + ":4:23: keys.reconcile-interval: must be more than 0s, found 0s",
                        file + ":6:12: limits.timeout: must be more than 0s, found 0s"));
  }

  @Test
  void configCheckReadsEverySecretAsServeWould() throws Exception {
    Path file = dir.resolve("secrets.yaml");
    Path missing = dir.resolve("no-such-secret");
    Files.writeString(
        file,
        "delivery:\n  route: smarthost\n  smarthost:\n    host: smtp.example.net\n"
            + "    username: relay\n    password-env: MAILSEAL_TEST_SURELY_UNSET_VARIABLE\n"
            + "cluster:\n  database: jdbc:postgresql://db/mailseal\n"
            + "  kek-file: "
            + missing
            + "\ndomains:\n  example.com: {}\n");
    assertThat(ConfigLoader.load(file).delivery().route())
        .isEqualTo(MailsealConfig.Route.SMARTHOST);
    assertThatThrownBy(() -> ConfigLoader.loadForServe(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Object::toString)
                    .containsExactly(
                        file
                            + ":6:5: delivery.smarthost.password-env: environment variable"
                            + " MAILSEAL_TEST_SURELY_UNSET_VARIABLE is not set",
                        file + ":9:3: cluster.kek-file: cannot read secret file " + missing));
  }

  @Test
  void aKeyEncryptionKeyOfTheWrongLengthIsRefusedByConfigCheck() throws Exception {
    Path kek = dir.resolve("kek");
    Files.writeString(kek, "c2hvcnQ=\n");
    Path file = dir.resolve("kek.yaml");
    Files.writeString(
        file,
        "cluster:\n  database: jdbc:postgresql://db/mailseal\n  kek-file: "
            + kek
            + "\ndomains:\n  example.com: {}\n");
    assertThatThrownBy(() -> ConfigLoader.loadForServe(file))
        .hasMessageContaining(
            file + ":3:3: cluster.kek-file: the key-encryption key must be 32 bytes");
  }
}
