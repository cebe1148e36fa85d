// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;

/**
 * SIGTERM to the real server process while a session is in the middle of DATA: new sessions get
 * {@code 421}, the open message is still accepted with {@code 250}, the process exits 0 within the
 * grace, and the spool opens again without anything to recover.
 */
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
      try (Dialog open = Dialog.authenticated(serve)) {
        open.expect("MAIL FROM:<" + ServeProcess.USER + ">", "250");
        open.expect("RCPT TO:<b@example.net>", "250");
        open.expect("DATA", "354");
        open.send(
            "From: <"
                + ServeProcess.USER
                + ">\r\nTo: <b@example.net>\r\nSubject: in flight\r\n"
                + "Message-ID: <in-flight@example.com>\r\n\r\nfirst half\r\n");

        serve.terminate();
        ServeProcess.waitFor(
            "a new session to be refused with 421",
            Duration.ofSeconds(15),
            () -> greeting(serve.port()).startsWith("421"));

        open.send("second half\r\n.\r\n");
        assertThat(open.reply()).startsWith("250");
        open.send("QUIT\r\n");
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
  private static String greeting(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      String line =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      return line == null ? "closed" : line;
    } catch (IOException e) {
      return "closed";
    }
  }

  /** A scripted session: STARTTLS and AUTH PLAIN, then lines as the test says. */
  private static final class Dialog implements AutoCloseable {
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    static Dialog authenticated(ServeProcess serve) throws IOException {
      Dialog d = new Dialog();
      Socket plain = new Socket();
      plain.connect(new InetSocketAddress("127.0.0.1", serve.port()), 5000);
      plain.setSoTimeout(30_000);
      d.use(plain);
      assertThat(d.reply()).startsWith("220");
      d.expect("EHLO it.test", "250");
      d.expect("STARTTLS", "220");
      SSLSocket tls =
          (SSLSocket) serve.trust().createSocket(plain, "127.0.0.1", serve.port(), true);
      tls.setUseClientMode(true);
      tls.startHandshake();
      d.use(tls);
      d.expect("EHLO it.test", "250");
      d.expect(
          "AUTH PLAIN "
              + Base64.getEncoder()
                  .encodeToString(
                      ("\0" + ServeProcess.USER + "\0" + ServeProcess.PASSWORD)
                          .getBytes(StandardCharsets.UTF_8)),
          "235");
      return d;
    }

    private void use(Socket s) throws IOException {
      socket = s;
      in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      out = s.getOutputStream();
    }

    void send(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    String reply() throws IOException {
      StringBuilder sb = new StringBuilder();
      for (String line; (line = in.readLine()) != null; ) {
        sb.append(line).append('\n');
        if (line.length() < 4 || line.charAt(3) != '-') {
          break;
        }
      }
      return sb.toString();
    }

    void expect(String command, String code) throws IOException {
      send(command + "\r\n");
      assertThat(reply()).as("reply to %s", command).startsWith(code);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
