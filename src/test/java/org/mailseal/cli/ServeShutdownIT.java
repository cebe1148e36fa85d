// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.SmtpDialog;

/**
 * SIGTERM to the real server process while a session is in the middle of DATA: new sessions get
 * {@code 421}, the open message is still accepted with {@code 250}, the process exits 0 within the
 * grace, and the spool opens again without anything to recover.
 */
// Each starts the packaged jar as a process, more than once: minutes on a loaded machine.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServeShutdownIT {
  private static final Duration GRACE = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void sigtermRefusesNewSessionsFinishesOpenDataAndExitsZero() throws Exception {
    try (ServeProcess serve =
        new ServeProcess(dir, "  shutdown-grace: " + GRACE.toSeconds() + "s", List.of())) {
      serve.start();
      // Delivery is not what this is about: keep the message in the spool by failing the outbox.
      Files.writeString(serve.outbox(), "not a directory");
      try (SmtpDialog open = authenticated(serve)) {
        open.expect("MAIL FROM:<" + ServeProcess.USER + ">", "250");
        open.expect("RCPT TO:<b@example.net>", "250");
        open.expect("DATA", "354");
        open.sendRaw(
            "From: <"
                + ServeProcess.USER
                + ">\r\nTo: <b@example.net>\r\nSubject: in flight\r\n"
                + "Message-ID: <in-flight@example.com>\r\n\r\nfirst half\r\n");

        serve.terminate();
        ServeProcess.waitFor(
            "a new session to be refused with 421",
            Duration.ofSeconds(15),
            () -> greeting(serve).startsWith("421"));

        open.sendRaw("second half\r\n.\r\n");
        assertThat(open.reply()).startsWith("250");
        open.send("QUIT");
      }
      assertThat(serve.exitWithin(GRACE.plusSeconds(10))).contains(0);
    }

    Path spoolDir = dir.resolve("spool");
    try (Stream<Path> files = Files.list(spoolDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".del"));
    }
    try (Spool spool =
        Spool.open(spoolDir, Clock.systemUTC(), SpoolOptions.defaults(new SecureRandom()))) {
      assertThat(spool.depth()).isEqualTo(1);
    }
    assertThat(spoolDir.resolve("corrupt"))
        .satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
  }

  /** The greeting a new connection gets, or "closed" when none can be made. */
  private static String greeting(ServeProcess serve) {
    try (SmtpDialog d = SmtpDialog.plain(serve.port(), serve.trust())) {
      return d.reply();
    } catch (IOException e) {
      return "closed";
    }
  }

  /** A session through STARTTLS, authenticated as the test user. */
  private static SmtpDialog authenticated(ServeProcess serve) throws IOException {
    SmtpDialog d = SmtpDialog.plain(serve.port(), serve.trust()).startTls();
    assertThat(d.authPlain(ServeProcess.USER, ServeProcess.PASSWORD)).startsWith("235");
    return d;
  }
}
