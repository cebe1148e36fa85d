// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.auth.AppPasswords;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.UserStore;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.testing.LogCapture;
import org.mailseal.testing.SmtpDialog;

/** App passwords end to end: issued, used for AUTH, named in the log, revoked at once. */
@Timeout(60)
class AppPasswordsOverSmtpTest {
  private static final String ALICE = "alice@example.com";
  private static final String MESSAGE =
      "From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: test\n\nHello.\n";

  @TempDir Path dir;
  private RunningServer s;

  @AfterEach
  void stop() {
    if (s != null) {
      s.close();
    }
  }

  /** Issues an app password as {@code users app-password add} does, through its own store. */
  private String issue(String name) throws Exception {
    UserStore cli = new UserStore(s.users.file(), s.clock);
    char[][] shown = new char[1][];
    cli.update(
        ALICE,
        u -> {
          AppPasswords.Issued i =
              AppPasswords.issue(
                  u,
                  name,
                  new PasswordHasher(new SecureRandom()),
                  new SecureRandom(),
                  s.clock.instant());
          shown[0] = i.password();
          return u.withAppPassword(i.credential());
        });
    s.clock.advance(Duration.ofSeconds(2)); // the server sees the file's change
    return new String(shown[0]);
  }

  private String auth(String password) throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      return d.authPlain(ALICE, password);
    }
  }

  private String send(String password) throws Exception {
    try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust).startTls()) {
      d.expect("AUTH PLAIN " + SmtpDialog.b64("\0" + ALICE + "\0" + password), "235");
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org>", "250");
      String reply = d.data(MESSAGE);
      assertThat(reply).startsWith("250 2.0.0");
      String id = reply.substring(reply.lastIndexOf(' ') + 1);
      SpoolEntry e =
          s.spool.list().stream().filter(x -> x.id().value().equals(id)).findFirst().orElseThrow();
      return new String(s.spool.open(e.id()).readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void eachAppPasswordLogsInAndARemovedOneStopsAtOnceWhileTheOtherWorks() throws Exception {
    s = new RunningServer(dir);
    String phone = issue("phone");
    String laptop = issue("laptop");
    assertThat(phone).matches("([a-z2-9]{4}-){5}[a-z2-9]{4}").isNotEqualTo(laptop);

    try (LogCapture log = new LogCapture(Authenticator.class)) {
      assertThat(auth(phone)).startsWith("235");
      assertThat(auth(laptop)).startsWith("235");
      assertThat(auth(RunningServer.PASSWORD)).startsWith("235"); // the main one still works
      assertThat(log.lines(Level.INFO))
          .anyMatch(
              l ->
                  l.contains("auth ok user=\"alice@example.com\"")
                      && l.contains("credential=app-password:phone"))
          .anyMatch(l -> l.contains("credential=app-password:laptop"))
          .anyMatch(l -> l.endsWith("credential=password"));
    }
    // Both are remembered by the login cache now; removing one must end it anyway.
    new UserStore(s.users.file(), s.clock).update(ALICE, u -> u.withoutAppPassword("phone"));
    s.clock.advance(Duration.ofSeconds(1));

    assertThat(auth(phone)).startsWith("535 5.7.8");
    assertThat(auth(laptop)).startsWith("235");
    assertThat(send(laptop)).contains("with ESMTPSA");
  }

  @Test
  void receivedNamesTheCredentialOnlyWhenTheOwnerEnablesIt() throws Exception {
    s = new RunningServer(dir);
    String phone = issue("phone");
    assertThat(send(phone)).doesNotContain("authenticated as").doesNotContain("phone");
    s.close();

    s =
        new RunningServer(
            java.nio.file.Files.createDirectories(dir.resolve("on")), l -> l, false, true);
    phone = issue("phone");
    assertThat(send(phone))
        .contains("with ESMTPSA\r\n\t(authenticated as alice@example.com with app password phone)");
    assertThat(send(RunningServer.PASSWORD))
        .contains("with ESMTPSA\r\n\t(authenticated as alice@example.com)");
  }
}
