// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailseal.policy.SenderPattern;
import org.mailseal.policy.SendingLimit;
import org.mailseal.policy.SendingLimits;
import org.mailseal.testing.LogCapture;
import org.mailseal.testing.MutableClock;

/** The users file: every field read back as written, every wrong shape refused with its place. */
@Timeout(10)
class UserStoreTest {
  private static final String HASH =
      "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));

  private Path file() {
    return dir.resolve("users.yaml");
  }

  private UserStore store() {
    return new UserStore(file(), clock);
  }

  private void write(String text) throws Exception {
    Files.writeString(file(), text, StandardCharsets.UTF_8);
  }

  @Test
  void everyFieldIsWrittenAndReadBack() throws Exception {
    User alice =
        new User(
            "alice@example.com",
            HASH,
            List.of(SenderPattern.parse("alice@example.com"), SenderPattern.parse("*.example.com")),
            true,
            4,
            Optional.of(Instant.parse("2026-12-01T09:00:00Z")),
            List.of(new AppPassword("phone", "k7pq", HASH, Instant.parse("2026-12-02T09:00:00Z"))),
            new SendingLimits(
                java.util.Map.of(
                    SendingLimit.MESSAGES_PER_DAY, 200, SendingLimit.RECIPIENTS_PER_DAY, 0)),
            Optional.of(
                new Suspension(
                    Instant.parse("2026-12-03T09:00:00Z"), "messages-per-day 200 exceeded")));
    store().put(alice);
    store().put(new User("bob@example.com", HASH, List.of()));

    assertThat(store().load()).containsEntry("alice@example.com", alice).hasSize(2);
    assertThat(store().load().get("bob@example.com").admin()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a list of users at the top | - alice@example.com\\n"
            + " | users.yaml:1:1: must be a map with one key, users:, found a list",
        "users as a list | users:\\n  - alice@example.com\\n"
            + " | users.yaml:2:3: users: must be a map of user name to settings, found a list",
        "a user as a value | users:\\n  alice@example.com: secret\\n"
            + " | users.yaml:2:22: users.alice@example.com: must be a map with password and allow",
        "an unknown top-level key | user:\\n  alice@example.com: {}\\n"
            + " | users.yaml:1:1: user: unknown key (the file has one key: users)",
        "admin not a boolean | users:\\n  a@example.com:\\n    password: $2y$x\\n    admin: \"yes\"\\n"
            + " | users.yaml:4:12: users.a@example.com.admin: must be true or false, found \"yes\"",
        "version not a number | users:\\n  a@example.com:\\n    password: $2y$x\\n    credential-version: two\\n"
            + " | users.yaml:4:25: users.a@example.com.credential-version: must be a whole number",
        "allow not a list | users:\\n  a@example.com:\\n    password: $2y$x\\n    allow: {x: 1}\\n"
            + " | users.yaml:4:12: users.a@example.com.allow: must be a list of senders, found a map",
        "a password in clear | users:\\n  a@example.com:\\n    password: hunter22\\n"
            + " | users.yaml:3:15: users.a@example.com.password: must be a password hash",
        "app passwords as a list | users:\\n  a@example.com:\\n    password: $2y$x\\n    app-passwords: [phone]\\n"
            + " | users.yaml:4:20: users.a@example.com.app-passwords: must be a map of name to",
        "an unknown limit | users:\\n  a@example.com:\\n    password: $2y$x\\n    limits: {messages-per-week: 3}\\n"
            + " | users.yaml:4:14: users.a@example.com.limits.messages-per-week: unknown limit",
        "a negative limit | users:\\n  a@example.com:\\n    password: $2y$x\\n    limits:\\n      messages-per-day: -1\\n"
            + " | users.yaml:5:25: users.a@example.com.limits.messages-per-day: must be a whole number of at least 0",
        "a bad suspension time | users:\\n  a@example.com:\\n    password: $2y$x\\n    suspended: {since: yesterday, reason: x}\\n"
            + " | users.yaml:4:24: users.a@example.com.suspended.since: must be a UTC time",
        "a YAML syntax error | users:\\n  a@example.com: [\\n"
            + " | users.yaml:2:19: YAML syntax error",
        "an unknown user key | users:\\n  a@example.com:\\n    password: $2y$x\\n    pasword: $2y$y\\n"
            + " | users.yaml:4:5: users.a@example.com.pasword: unknown key",
      })
  void aWrongShapeIsAnErrorNamingFileLineAndColumn(String what, String yaml, String expected)
      throws Exception {
    write(yaml.replace("\\n", "\n"));

    assertThatThrownBy(() -> store().load())
        .isInstanceOf(UserStoreException.class)
        .hasMessageStartingWith(dir + "/" + expected);
  }

  @Test
  void garbageBytesAreAnErrorWithTheirPlace() throws Exception {
    Files.write(file(), new byte[] {'u', 's', 'e', 'r', 's', ':', '\n', ' ', ' ', (byte) 0xff, 0});

    assertThatThrownBy(() -> store().load())
        .isInstanceOf(UserStoreException.class)
        .hasMessage(file() + ":2:3: not UTF-8 text");
  }

  @Test
  void anEmptyFileIsAWarningNotSilence() throws Exception {
    write("# nobody yet\n");
    try (LogCapture log = new LogCapture(UserStore.class)) {
      assertThat(store().load()).isEmpty();

      assertThat(log.lines(Level.WARN))
          .singleElement()
          .asString()
          .contains("names no user: every login fails")
          .contains("ACTION:");
    }
  }

  @Test
  void aBadFileOnReloadKeepsThePreviousUsersLogsAnErrorAndCounts() throws Exception {
    UserStore running = store();
    running.put(new User("alice@example.com", HASH, List.of()));
    running.load();
    clock.advance(Duration.ofSeconds(2));
    write("users:\n  - alice@example.com\n");

    try (LogCapture log = new LogCapture(UserStore.class)) {
      assertThat(running.find("alice@example.com")).isPresent();
      clock.advance(Duration.ofSeconds(2));
      assertThat(running.find("alice@example.com")).isPresent();

      assertThat(running.reloadFailures()).isEqualTo(1); // once per bad version, not per second
      assertThat(log.lines(Level.ERROR))
          .singleElement()
          .asString()
          .contains("users.yaml:2:3: users: must be a map")
          .contains("previous 1 users stay in use");
    }
  }
}
