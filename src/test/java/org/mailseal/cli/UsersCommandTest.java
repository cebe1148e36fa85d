// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The users command: passwords only from stdin or a prompt, hashes only in the file. */
@org.junit.jupiter.api.Timeout(120)
class UsersCommandTest {
  @TempDir Path dir;
  StringWriter out = new StringWriter();
  StringWriter err = new StringWriter();

  int run(String stdin, String... args) {
    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      CommandLine cl = MailsealCommand.commandLine();
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(err));
      return cl.execute(args);
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void addStoresAHashNeverThePassword() throws Exception {
    Path users = dir.resolve("users.yaml");
    assertThat(
            run(
                "s3cret-passphrase\n",
                "users",
                "add",
                "Alice@Example.com",
                "--allow",
                "alice@example.com,*.example.com",
                "--users",
                users.toString(),
                "--password-stdin"))
        .isZero();
    String file = Files.readString(users);
    assertThat(file)
        .contains("alice@example.com")
        .contains("$argon2id$")
        .contains("*.example.com")
        .doesNotContain("s3cret");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users)))
        .isEqualTo("rw-------");
    assertThat(run("", "users", "list", "--users", users.toString())).isZero();
    assertThat(out.toString())
        .contains("alice@example.com  allow=[alice@example.com, *.example.com]");
  }

  @Test
  void duplicatesShortPasswordsAndUnknownUsersAreOneLineErrors() {
    Path users = dir.resolve("users.yaml");
    assertThat(
            run("long enough pw\n", "users", "add", "a@example.com", "--users", users.toString()))
        .isZero();
    assertThat(
            run("long enough pw\n", "users", "add", "a@example.com", "--users", users.toString()))
        .isNotZero();
    assertThat(run("short\n", "users", "add", "b@example.com", "--users", users.toString()))
        .isNotZero();
    assertThat(run("", "users", "remove", "nobody@example.com", "--users", users.toString()))
        .isNotZero();
    assertThat(err.toString().lines())
        .containsExactly(
            "mailseal: a@example.com already exists; use users passwd to change the password",
            "mailseal: the password must have at least 8 characters",
            "mailseal: no user nobody@example.com");
    assertThat(run("", "users", "remove", "a@example.com", "--users", users.toString())).isZero();
  }

  private String users() {
    return dir.resolve("users.yaml").toString();
  }

  private org.mailseal.auth.User stored(String name) throws Exception {
    return new org.mailseal.auth.UserStore(dir.resolve("users.yaml"), java.time.Clock.systemUTC())
        .load()
        .get(name);
  }

  @Test
  void adminRoleIsGivenAtAddAndSwitchedOnAndOff() throws Exception {
    assertThat(
            run("long enough pw\n", "users", "add", "a@example.com", "--admin", "--users", users()))
        .isZero();
    assertThat(stored("a@example.com").admin()).isTrue();
    assertThat(run("", "users", "admin", "a@example.com", "off", "--users", users())).isZero();
    assertThat(stored("a@example.com").admin()).isFalse();
    assertThat(run("", "users", "admin", "a@example.com", "on", "--users", users())).isZero();
    assertThat(stored("a@example.com").admin()).isTrue();
    assertThat(run("", "users", "admin", "a@example.com", "maybe", "--users", users())).isNotZero();
  }

  @Test
  void passwdRaisesTheCredentialVersionAndKeepsAppPasswords() throws Exception {
    run("long enough pw\n", "users", "add", "a@example.com", "--users", users());
    run("", "users", "app-password", "add", "a@example.com", "phone", "--users", users());
    org.mailseal.auth.User before = stored("a@example.com");
    assertThat(before.credentialVersion()).isEqualTo(1);

    assertThat(run("another long pw\n", "users", "passwd", "a@example.com", "--users", users()))
        .isZero();

    org.mailseal.auth.User after = stored("a@example.com");
    assertThat(after.credentialVersion()).isEqualTo(2);
    assertThat(after.passwordChanged()).isPresent();
    assertThat(after.passwordHash()).isNotEqualTo(before.passwordHash());
    assertThat(after.appPasswords()).isEqualTo(before.appPasswords());
  }

  @Test
  void appPasswordIsPrintedOnceStoredHashedListedAndRemoved() throws Exception {
    run("long enough pw\n", "users", "add", "a@example.com", "--users", users());
    assertThat(
            run("", "users", "app-password", "add", "a@example.com", "phone", "--users", users()))
        .isZero();
    String password = out.toString().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(password).matches("([a-z2-9]{4}-){5}[a-z2-9]{4}");
    assertThat(Files.readString(dir.resolve("users.yaml")))
        .doesNotContain(password.substring(5))
        .contains("phone:");
    org.mailseal.auth.User u = stored("a@example.com");
    assertThat(
            new org.mailseal.auth.PasswordHasher(new java.security.SecureRandom())
                .verify(
                    password.toCharArray(), u.appPassword("phone").orElseThrow().passwordHash()))
        .isTrue();
    assertThat(
            run("", "users", "app-password", "add", "a@example.com", "phone", "--users", users()))
        .isNotZero();
    out.getBuffer().setLength(0);
    assertThat(run("", "users", "app-password", "list", "a@example.com", "--users", users()))
        .isZero();
    assertThat(out.toString()).startsWith("phone  created=");

    assertThat(
            run(
                "",
                "users",
                "app-password",
                "remove",
                "a@example.com",
                "phone",
                "--users",
                users()))
        .isZero();
    assertThat(stored("a@example.com").appPasswords()).isEmpty();
    assertThat(
            run(
                "",
                "users",
                "app-password",
                "remove",
                "a@example.com",
                "phone",
                "--users",
                users()))
        .isNotZero();
    assertThat(err.toString())
        .contains("a@example.com already has an app password named phone")
        .contains("a@example.com has no app password named phone");
  }

  @Test
  void suspendShowAndResume() throws Exception {
    run("long enough pw\n", "users", "add", "a@example.com", "--users", users());
    assertThat(
            run("", "users", "suspend", "a@example.com", "--reason", "phished", "--users", users()))
        .isZero();
    assertThat(stored("a@example.com").suspended())
        .get()
        .extracting(x -> x.reason())
        .isEqualTo("phished");
    out.getBuffer().setLength(0);
    assertThat(run("", "users", "show", "a@example.com", "--users", users())).isZero();
    assertThat(out.toString())
        .contains("suspended: since ")
        .contains(": phished")
        .contains("admin: no");
    assertThat(run("", "users", "resume", "a@example.com", "--users", users())).isZero();
    assertThat(stored("a@example.com").suspended()).isEmpty();
  }
}
