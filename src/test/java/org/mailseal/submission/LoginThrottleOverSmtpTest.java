// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.SmtpDialog;

/**
 * The lockout scheme through the STARTTLS listener, with client addresses given by a PROXY header
 * (as behind a load balancer): a guesser locks only its own address, never the user.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginThrottleOverSmtpTest {
  private RunningServer s;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    s = new RunningServer(dir, l -> l, true);
  }

  @AfterAll
  void stop() {
    s.close();
  }

  /** A STARTTLS session whose client address is {@code ip}. */
  private SmtpDialog from(String ip) throws Exception {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", s.submissionPort()), 5000);
    plain.setSoTimeout(15000);
    plain
        .getOutputStream()
        .write(
            ("PROXY TCP4 " + ip + " 192.0.2.1 40000 587\r\n").getBytes(StandardCharsets.US_ASCII));
    return SmtpDialog.over(plain, s.trust).startTls();
  }

  @Test
  void tenFailuresLockTheGuessersAddressWhileTheOwnerLogsInFromHomeAtOnce() throws Exception {
    try (SmtpDialog guesser = from("203.0.113.66")) {
      for (int i = 0; i < 10; i++) {
        assertThat(guesser.authPlain("alice@example.com", "guess" + i)).startsWith("535 5.7.8");
        s.clock.advance(Duration.ofSeconds(31)); // paced as the server asks
      }
      assertThat(guesser.authPlain("alice@example.com", RunningServer.PASSWORD))
          .startsWith("421 4.7.0");
    }
    try (SmtpDialog owner = from("198.51.100.20")) {
      assertThat(owner.authPlain("alice@example.com", RunningServer.PASSWORD)).startsWith("235");
    }
    try (SmtpDialog guesser = from("203.0.113.66")) {
      assertThat(guesser.authPlain("alice@example.com", RunningServer.PASSWORD))
          .startsWith("421 4.7.0 Too many failed logins from your address");
    }
  }

  @Test
  void guessesSpreadOverFiftyAddressesOfOneNetworkAreSlowedAsOne() throws Exception {
    int checked = 0;
    for (int i = 1; i <= 50; i++) {
      try (SmtpDialog d = from("192.0.2." + i)) {
        String r = d.authPlain("bob@example.com", "guess" + i);
        if (r.startsWith("535")) {
          checked++;
        } else {
          assertThat(r).startsWith("454 4.7.0 Too many failed logins from your network");
        }
      }
    }
    assertThat(checked).isEqualTo(7);
    try (SmtpDialog owner = from("198.51.100.21")) {
      assertThat(owner.authPlain("bob@example.com", RunningServer.PASSWORD)).startsWith("235");
    }
  }
}
