// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.mailseal.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.internal.proxy.ProxyHandler;
import org.subethamail.smtp.server.Session;

/**
 * The PROXY protocol header (HAProxy's v1 text and v2 binary forms) that a TCP load balancer sends
 * before the client's first byte, so the relay sees the client's address rather than the
 * balancer's. The header is required on a listener configured for it.
 *
 * <p>Ours rather than SubEthaSMTP's handler for one reason: an implicit-TLS listener must read the
 * header from the plain socket <em>before</em> the TLS handshake, and must not lose a byte of the
 * ClientHello that arrived with it. This reader takes exactly the header's bytes, then (for TLS)
 * hands whatever the session had buffered beyond it to the TLS socket as already-read input.
 */
final class ProxyProtocol implements ProxyHandler {
  private static final Logger log = LoggerFactory.getLogger(ProxyProtocol.class);
  private static final byte[] V2_SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };
  private static final int V1_MAX = 107; // the spec's longest v1 line, CRLF included
  private static final int V2_MAX_BODY = 2048;

  private final ServerTls tls;

  /**
   * @param tls when non-null, the listener speaks TLS from the first byte after the header
   */
  private ProxyProtocol(ServerTls tls) {
    this.tls = tls;
  }

  static ProxyProtocol plain() {
    return new ProxyProtocol(null);
  }

  static ProxyProtocol thenTls(ServerTls tls) {
    return new ProxyProtocol(tls);
  }

  @Override
  public ProxyResult handle(InputStream in, OutputStream out, Session session) throws IOException {
    Optional<InetSocketAddress> client;
    try {
      client = read(in);
    } catch (Malformed e) {
      log.warn(
          "proxy header refused peer={}: {}",
          session.getRealRemoteAddress().getAddress().getHostAddress(),
          e.getMessage());
      // On a TLS listener the client cannot read this clear-text reply; the balancer that sent no
      // header is misconfigured, and the log line above says so.
      return new ProxyResult(421, "4.7.0 PROXY protocol header required");
    }
    if (tls != null) {
      byte[] early = in.readNBytes(in.available());
      SSLSocket ssl = tls.acceptTls(session.getSocket(), early);
      ssl.startHandshake();
      session.setSocket(ssl);
      session.setTlsStarted(true);
    }
    return client.map(ProxyResult::new).orElse(ProxyResult.NOP);
  }

  /**
   * Reads one PROXY header from {@code in}, consuming exactly its bytes.
   *
   * @return the client's address, or empty for a header that names none (v1 {@code UNKNOWN}, v2
   *     {@code LOCAL} health checks, or a family other than TCP over IPv4/IPv6)
   */
  static Optional<InetSocketAddress> read(InputStream in) throws IOException, Malformed {
    int first = in.read();
    if (first == 'P') {
      return v1(in);
    }
    if (first == V2_SIGNATURE[0]) {
      return v2(in);
    }
    throw new Malformed("no PROXY header");
  }

  private static Optional<InetSocketAddress> v1(InputStream in) throws IOException, Malformed {
    StringBuilder line = new StringBuilder("P");
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new Malformed("v1 header cut short");
      }
      if (b == '\r') {
        if (in.read() != '\n') {
          throw new Malformed("v1 header without CRLF");
        }
        break;
      }
      line.append((char) b);
      if (line.length() > V1_MAX - 2) {
        throw new Malformed("v1 header too long");
      }
    }
    String[] f = line.toString().split(" ");
    if (f.length < 2 || !f[0].equals("PROXY")) {
      throw new Malformed("not a v1 header");
    }
    if (f[1].equals("UNKNOWN")) {
      return Optional.empty();
    }
    if (f.length != 6 || !(f[1].equals("TCP4") || f[1].equals("TCP6"))) {
      throw new Malformed("v1 header with " + f.length + " fields");
    }
    InetAddress source = literal(f[2], f[1].equals("TCP4") ? 4 : 16);
    return Optional.of(new InetSocketAddress(source, port(f[4])));
  }

  private static Optional<InetSocketAddress> v2(InputStream in) throws IOException, Malformed {
    byte[] head = new byte[16];
    head[0] = V2_SIGNATURE[0];
    readFully(in, head, 1, 15);
    if (!Arrays.equals(head, 0, 12, V2_SIGNATURE, 0, 12)) {
      throw new Malformed("bad v2 signature");
    }
    int versionCommand = head[12] & 0xFF;
    if ((versionCommand >> 4) != 2) {
      throw new Malformed("v2 header of version " + (versionCommand >> 4));
    }
    int family = head[13] & 0xFF;
    int length = ((head[14] & 0xFF) << 8) | (head[15] & 0xFF);
    if (length > V2_MAX_BODY) {
      throw new Malformed("v2 header of " + length + " bytes");
    }
    byte[] body = new byte[length];
    readFully(in, body, 0, length);
    if ((versionCommand & 0x0F) == 0) {
      return Optional.empty(); // LOCAL: the balancer's own health check
    }
    if ((versionCommand & 0x0F) != 1) {
      throw new Malformed("v2 command " + (versionCommand & 0x0F));
    }
    int addressLength;
    if (family == 0x11) {
      addressLength = 4; // TCP over IPv4
    } else if (family == 0x21) {
      addressLength = 16; // TCP over IPv6
    } else {
      return Optional.empty();
    }
    if (length < 2 * addressLength + 4) {
      throw new Malformed("v2 address block too short");
    }
    InetAddress source = InetAddress.getByAddress(Arrays.copyOfRange(body, 0, addressLength));
    int port = ((body[2 * addressLength] & 0xFF) << 8) | (body[2 * addressLength + 1] & 0xFF);
    return Optional.of(new InetSocketAddress(source, port));
  }

  private static InetAddress literal(String text, int bytes) throws Malformed {
    // Only literal addresses: InetAddress.getByName would resolve a name through DNS.
    boolean looksRight =
        bytes == 4 ? text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") : text.matches("[0-9a-fA-F:.]+");
    if (!looksRight) {
      throw new Malformed("not an IPv" + (bytes == 4 ? 4 : 6) + " address");
    }
    try {
      InetAddress a = InetAddress.getByName(text);
      if (a.getAddress().length != bytes && !(bytes == 16 && a.getAddress().length == 4)) {
        throw new Malformed("address of the wrong family");
      }
      return a;
    } catch (java.net.UnknownHostException e) {
      throw new Malformed("bad address");
    }
  }

  private static int port(String text) throws Malformed {
    if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) > 65535) {
      throw new Malformed("bad port");
    }
    return Integer.parseInt(text);
  }

  private static void readFully(InputStream in, byte[] b, int off, int len)
      throws IOException, Malformed {
    try {
      int n = in.readNBytes(b, off, len);
      if (n != len) {
        throw new EOFException();
      }
    } catch (EOFException e) {
      throw new Malformed("header cut short");
    }
  }

  /** The bytes did not form a PROXY header; the text says how, for the log. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String why) {
      super(why);
    }
  }
}
