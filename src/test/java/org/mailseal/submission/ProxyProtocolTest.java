// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailseal.testing.SmtpDialog;

/**
 * The PROXY protocol header a TCP load balancer sends: v1 and v2 parsed byte-exactly, and both
 * listeners (STARTTLS, and implicit TLS where the header precedes the handshake) seeing the client
 * address the balancer names.
 */
class ProxyProtocolTest {
  @TempDir Path dir;

  static byte[] v2(int command, int family, byte[] addresses) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(
        new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    b.write(0x20 | command);
    b.write(family);
    b.write(addresses.length >> 8);
    b.write(addresses.length & 0xFF);
    b.writeBytes(addresses);
    return b.toByteArray();
  }

  static byte[] tcp4(String src, int sport) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(InetAddress.getByName(src).getAddress());
    b.writeBytes(InetAddress.getByName("192.0.2.1").getAddress());
    b.write(sport >> 8);
    b.write(sport & 0xFF);
    b.write(0x02);
    b.write(0x4B); // 587
    return b.toByteArray();
  }

  @Test
  void v1HeadersAreReadToTheirCrlfAndNoFurther() throws Exception {
    InputStream in =
        new ByteArrayInputStream(
            "PROXY TCP4 203.0.113.7 192.0.2.1 40000 587\r\nEHLO"
                .getBytes(StandardCharsets.US_ASCII));
    assertThat(ProxyProtocol.read(in))
        .contains(new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 40000));
    assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("EHLO");

    assertThat(
            ProxyProtocol.read(
                new ByteArrayInputStream(
                    "PROXY TCP6 2001:db8::7 2001:db8::1 40001 465\r\n"
                        .getBytes(StandardCharsets.US_ASCII))))
        .contains(new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 40001));
    assertThat(
            ProxyProtocol.read(
                new ByteArrayInputStream("PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII))))
        .isEmpty();
  }

  @Test
  void v2HeadersNameTheClientOrNothingForLocal() throws Exception {
    byte[] header = v2(1, 0x11, tcp4("198.51.100.9", 51000));
    ByteArrayOutputStream withTail = new ByteArrayOutputStream();
    withTail.writeBytes(header);
    withTail.writeBytes(new byte[] {0x16, 0x03, 0x01}); // the start of a TLS ClientHello
    InputStream in = new ByteArrayInputStream(withTail.toByteArray());
    assertThat(ProxyProtocol.read(in))
        .contains(new InetSocketAddress(InetAddress.getByName("198.51.100.9"), 51000));
    assertThat(in.readAllBytes()).containsExactly(0x16, 0x03, 0x01);

    assertThat(ProxyProtocol.read(new ByteArrayInputStream(v2(0, 0x00, new byte[0])))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "EHLO client.test\r\n",
        "PROXY TCP4 203.0.113.7 192.0.2.1 40000\r\n",
        "PROXY TCP4 host.example 192.0.2.1 40000 587\r\n",
        "PROXY TCP4 203.0.113.7 192.0.2.1 99999 587\r\n",
        "PROXY TCP4 203.0.113.7 192.0.2.1 40000 587",
      })
  void malformedHeadersAreRefused(String header) {
    assertThatThrownBy(
            () ->
                ProxyProtocol.read(
                    new ByteArrayInputStream(header.getBytes(StandardCharsets.US_ASCII))))
        .isInstanceOf(ProxyProtocol.Malformed.class);
  }

  @Test
  void startTlsListenerSeesTheProxiedClientInReceived() throws Exception {
    try (RunningServer s = new RunningServer(dir, l -> l, true)) {
      Socket plain = new Socket();
      plain.connect(new InetSocketAddress("127.0.0.1", s.submissionPort()), 5000);
      plain.setSoTimeout(15000);
      plain
          .getOutputStream()
          .write(
              "PROXY TCP4 203.0.113.7 192.0.2.1 40000 587\r\n".getBytes(StandardCharsets.US_ASCII));
      try (SmtpDialog d = SmtpDialog.over(plain, s.trust).startTls()) {
        assertThat(d.authPlain("alice@example.com", RunningServer.PASSWORD)).startsWith("235");
        d.expect("MAIL FROM:<alice@example.com>", "250");
        d.expect("RCPT TO:<bob@example.org>", "250");
        assertThat(d.data("From: alice@example.com\n\nhi\n")).startsWith("250 2.0.0");
      }
      assertThat(received(s)).contains("[203.0.113.7]");
    }
  }

  @Test
  void implicitTlsListenerReadsTheHeaderBeforeTheHandshake() throws Exception {
    try (RunningServer s = new RunningServer(dir, l -> l, true)) {
      Socket plain = new Socket();
      plain.connect(new InetSocketAddress("127.0.0.1", s.submissionsPort()), 5000);
      plain.setSoTimeout(15000);
      plain.setTcpNoDelay(false);
      plain.getOutputStream().write(v2(1, 0x11, tcp4("198.51.100.9", 51000)));
      SSLSocket tls =
          (SSLSocket)
              s.trust.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true);
      tls.setUseClientMode(true);
      tls.startHandshake();
      try (SmtpDialog d = SmtpDialog.over(tls, s.trust)) {
        assertThat(d.reply()).startsWith("220");
        assertThat(d.expect("EHLO client.test", "250")).contains("AUTH PLAIN LOGIN");
        assertThat(d.authPlain("alice@example.com", RunningServer.PASSWORD)).startsWith("235");
        d.expect("MAIL FROM:<alice@example.com>", "250");
        d.expect("RCPT TO:<bob@example.org>", "250");
        assertThat(d.data("From: alice@example.com\n\nhi\n")).startsWith("250 2.0.0");
      }
      assertThat(received(s)).contains("[198.51.100.9]");
    }
  }

  @Test
  void aListenerExpectingTheHeaderRefusesAClientWithout() throws Exception {
    try (RunningServer s = new RunningServer(dir, l -> l, true)) {
      try (SmtpDialog d = SmtpDialog.plain(s.submissionPort(), s.trust)) {
        assertThat(d.command("EHLO client.test")).startsWith("421 4.7.0");
      }
      assertThat(s.spool.depth()).isZero();
    }
  }

  private static String received(RunningServer s) throws Exception {
    Optional<String> line =
        new String(s.spool.open(s.spool.list().get(0).id()).readAllBytes(), StandardCharsets.UTF_8)
            .lines()
            .filter(l -> l.startsWith("Received:"))
            .findFirst();
    return line.orElse("");
  }
}
