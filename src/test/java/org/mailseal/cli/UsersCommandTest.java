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
}
