// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.SmtpDialog;

/**
 * Clients that send a byte every so often, in a command line, inside DATA, or forever in small
 * commands, are closed with {@code 421 4.4.2} at the configured deadline; many of them from a few
 * addresses do not keep another client out. Limits are set short so each test takes about a second;
 * the bytes drip several times within each limit. A limit that runs from the connection (command
 * deadline, lifetime) is a second, so a greeting delayed on a loaded machine is never taken for the
 * limit; the message limit, which runs from 354, is 500 ms. Times are measured from before the
 * client could have started the server's clock, so a deadline is never seen early.
 */
@Timeout(60)
class SlowClientTest {
  @TempDir Path dir;
  final ScheduledExecutorService drip = Executors.newScheduledThreadPool(2);
  RunningServer s;

  @AfterEach
  void stop() {
    drip.shutdownNow();
    if (s != null) {
      s.close();
    }
  }

  /** A raw client from {@code from} (any 127.0.0.0/8 address on Linux) to {@code port}. */
  static final class Raw implements AutoCloseable {
    final Socket socket;
    final BufferedReader in;
    final OutputStream out;

    Raw(String from, int port) throws IOException {
      socket = new Socket();
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(20_000);
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out = socket.getOutputStream();
    }

    String line() throws IOException {
      String l = in.readLine();
      return l == null ? "<closed>" : l;
    }

    /** Writes one byte, and nothing if the server closed the connection. */
    void send(int b) {
      try {
        out.write(b);
        out.flush();
      } catch (IOException closed) {
        // the server closed it: that is what the tests wait for
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Sends {@code bytes} one at a time, every {@code millis}, from the drip threads. */
  void dripping(java.util.function.IntConsumer sink, byte[] bytes, long millis) {
    int[] next = {0};
    drip.scheduleAtFixedRate(
        () -> sink.accept(bytes[next[0]++ % bytes.length]), 0, millis, TimeUnit.MILLISECONDS);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  @Test
  void commandLineSentAByteAtATimeIsClosedAtTheCommandDeadline() throws Exception {
    s = new RunningServer(dir, l -> l.commandDeadline(Duration.ofSeconds(1)));
    long start = System.nanoTime();
    try (Raw c = new Raw("127.0.0.1", s.submissionPort())) {
      assertThat(c.line()).startsWith("220");
      dripping(c::send, ascii("EHLO slow.client.test\r\n"), 100);
      assertThat(c.line()).isEqualTo("421 4.4.2 No complete command within 1s; closing");
      assertThat(millisSince(start)).isBetween(1_000L, 2_500L);
      assertThat(c.line()).isEqualTo("<closed>");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> s.server.openSessions() == 0);
  }

  @Test
  void messageSentBelowTheMinimumRateIsClosedInDataOverTls() throws Exception {
    s =
        new RunningServer(
            dir,
            l ->
                l.commandDeadline(Duration.ofSeconds(30))
                    .minDataRate(100)
                    .dataRateGrace(Duration.ofMillis(300))
                    .messageDeadline(Duration.ofSeconds(30)));
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.net>", "250");
      long start = System.nanoTime();
      d.expect("DATA", "354");
      dripping(b -> send(d, b), ascii("From: alice@example.com\r\nSubject: slow\r\n"), 100);
      assertThat(d.reply())
          .isEqualTo("421 4.4.2 Message data slower than 100 bytes per second; closing");
      assertThat(millisSince(start)).isBetween(300L, 2_300L);
      assertThat(d.reply()).isEqualTo("<closed>");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> s.server.openSessions() == 0);
  }

  @Test
  void messageThatNeverEndsIsClosedAtTheMessageDeadline() throws Exception {
    s =
        new RunningServer(
            dir,
            l ->
                l.commandDeadline(Duration.ofSeconds(30))
                    .minDataRate(0)
                    .messageDeadline(Duration.ofMillis(500)));
    try (Raw c = new Raw("127.0.0.1", s.trustedPort())) {
      assertThat(c.line()).startsWith("220");
      for (String command :
          List.of("HELO client.test", "MAIL FROM:<x@example.com>", "RCPT TO:<y@example.net>")) {
        c.out.write(ascii(command + "\r\n"));
        assertThat(c.line()).startsWith("250");
      }
      long start = System.nanoTime();
      c.out.write(ascii("DATA\r\n"));
      assertThat(c.line()).startsWith("354");
      dripping(c::send, ascii("Subject: endless\r\n"), 50);
      assertThat(c.line()).isEqualTo("421 4.4.2 Message not received within 500ms; closing");
      assertThat(millisSince(start)).isBetween(500L, 2_000L);
    }
  }

  @Test
  void busySessionIsClosedAtItsLifetime() throws Exception {
    s = new RunningServer(dir, l -> l.sessionLifetime(Duration.ofSeconds(1)));
    long start = System.nanoTime();
    try (Raw c = new Raw("127.0.0.1", s.submissionPort())) {
      assertThat(c.line()).startsWith("220");
      dripping(b -> c.send(b), ascii("NOOP\r\n"), 10);
      String last;
      do {
        last = c.line();
      } while (last.startsWith("250"));
      assertThat(last).isEqualTo("421 4.4.2 Session open longer than 1s; closing");
      assertThat(millisSince(start)).isBetween(1_000L, 2_500L);
    }
  }

  /**
   * 200 slow clients, 20 from each of 10 addresses (the default limits: 200 sessions, 20 per
   * address, so they could hold every session), then an ordinary client from another address. The
   * slow clients' deadline is well above the time to connect them all and send the ordinary
   * client's message (0.5 to 1.3 s on a loaded machine), so they still hold their sessions (4 s:
   * more than twice the worst seen).
   */
  @Test
  void manySlowClientsFromTenAddressesDoNotKeepAnOrdinaryClientOut() throws Exception {
    s = new RunningServer(dir, l -> l.commandDeadline(Duration.ofSeconds(4)));
    List<Raw> slow = new ArrayList<>();
    List<Raw> held = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        Raw c = new Raw("127.0.0." + (2 + i % 10), s.submissionPort());
        slow.add(c);
        String greeting = c.line();
        assertThat(greeting).matches("220 .*|421 4\\.7\\.0 .*");
        if (greeting.startsWith("220")) {
          held.add(c);
        }
      }
      assertThat(held).hasSizeGreaterThanOrEqualTo(150);
      dripping(b -> held.forEach(c -> c.send(b)), ascii("EHLO slow.client.test\r\n"), 500);

      try (SmtpDialog d = s.authenticated("alice@example.com")) {
        d.expect("MAIL FROM:<alice@example.com>", "250");
        d.expect("RCPT TO:<bob@example.net>", "250");
        assertThat(
                d.data(
                    "From: alice@example.com\nTo: bob@example.net\nSubject: hi\n"
                        + "Date: Mon, 23 Nov 2026 10:00:00 +0000\n\nhello\n"))
            .startsWith("250 2.0.0");
        assertThat(s.server.openSessions()).isGreaterThan(held.size());
      }
      for (Raw c : held) {
        assertThat(c.line()).startsWith("421 4.4.2 No complete command within 4s");
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> s.server.openSessions() == 0);
    } finally {
      for (Raw c : slow) {
        c.close();
      }
    }
  }

  private static void send(SmtpDialog d, int b) {
    try {
      d.sendRaw(new byte[] {(byte) b});
    } catch (IOException closed) {
      // the server closed it
    }
  }
}
