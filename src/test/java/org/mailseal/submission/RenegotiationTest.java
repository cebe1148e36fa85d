// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS 1.2 client that asks for a new full handshake on an established connection (each would cost
 * the server a signature) is refused, on the STARTTLS and on the implicit-TLS listener.
 */
@Timeout(30)
class RenegotiationTest {
  @TempDir Path dir;
  RunningServer s;

  @BeforeEach
  void start() throws Exception {
    s = new RunningServer(dir);
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  void renegotiationIsRefusedAfterStartTls() throws Exception {
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress("127.0.0.1", s.submissionPort()), 5000);
      plain.setSoTimeout(10_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = plain.getOutputStream();
      assertThat(in.readLine()).startsWith("220");
      out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("220");
      SSLSocket tls =
          (SSLSocket)
              s.trust.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true);
      tls.setUseClientMode(true);
      renegotiationIsRefused(tls);
    }
  }

  @Test
  void renegotiationIsRefusedOnTheImplicitTlsListener() throws Exception {
    try (SSLSocket tls = (SSLSocket) s.trust.getSocketFactory().createSocket()) {
      tls.connect(new InetSocketAddress("127.0.0.1", s.submissionsPort()), 5000);
      tls.setSoTimeout(10_000);
      renegotiationIsRefused(tls);
    }
  }

  /** Handshakes in TLS 1.2, talks, then asks for a second full handshake and talks again. */
  private static void renegotiationIsRefused(SSLSocket tls) throws IOException {
    tls.setEnabledProtocols(new String[] {"TLSv1.2"});
    tls.startHandshake();
    assertThat(tls.getSession().getProtocol()).isEqualTo("TLSv1.2");
    BufferedReader in =
        new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.UTF_8));
    OutputStream out = tls.getOutputStream();
    out.write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
    String first = in.readLine();
    if (first.startsWith("220")) { // the implicit-TLS listener's greeting
      first = in.readLine();
    }
    assertThat(first).startsWith("250");

    tls.getSession().invalidate(); // a full handshake, as an attacker would ask for
    Throwable refused =
        catchThrowable(
            () -> {
              tls.startHandshake();
              out.write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              String line = in.readLine();
              if (line != null) {
                throw new AssertionError("renegotiated, then got: " + line);
              }
            });
    assertThat(refused).as("the second handshake").isInstanceOf(IOException.class);
  }
}
