// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.MutableClock;

/**
 * A renewal writes the new key, then the new certificate: a reload between the two finds a key that
 * does not belong to the certificate and keeps serving the old pair, so no handshake fails.
 */
@Timeout(60)
class KeyPairReloadTest {
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  final SecureRandom random = new SecureRandom();
  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void newKeyBesideTheOldCertificateKeepsTheOldPairServing() throws Exception {
    Path live = dir.resolve("live");
    ServerTls.selfSigned(live, "mail.example.com", clock, random);
    Path cert = live.resolve("selfsigned.crt");
    Path key = live.resolve("selfsigned.key");
    ServerTls tls = ServerTls.fromFiles(cert, key, clock);
    X509Certificate first = served(tls);

    Path renewed = dir.resolve("renewed");
    ServerTls.selfSigned(renewed, "mail.example.com", clock, random);
    replace(renewed.resolve("selfsigned.key"), key); // the key first, as AcmeRenewer writes
    clock.advance(ServerTls.RECHECK.plus(Duration.ofSeconds(1)));
    assertThat(served(tls)).isEqualTo(first); // the handshake works, with the old pair

    replace(renewed.resolve("selfsigned.crt"), cert);
    clock.advance(ServerTls.RECHECK.plus(Duration.ofSeconds(1)));
    assertThat(served(tls)).isNotEqualTo(first);
  }

  @Test
  void keyOfAnotherCertificateIsRefusedAtStartNamingTheFile() throws Exception {
    ServerTls.selfSigned(dir.resolve("a"), "mail.example.com", clock, random);
    ServerTls.selfSigned(dir.resolve("b"), "mail.example.com", clock, random);
    assertThatThrownBy(
            () ->
                ServerTls.fromFiles(
                    dir.resolve("a/selfsigned.crt"), dir.resolve("b/selfsigned.key"), clock))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("b/selfsigned.key: the key does not belong to the certificate");
  }

  private static void replace(Path from, Path to) throws Exception {
    Path tmp = to.resolveSibling(to.getFileName() + ".new");
    Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.setLastModifiedTime(
        to, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(60)));
  }

  /** Accepts one connection on the implicit-TLS socket and completes its handshake. */
  private X509Certificate served(ServerTls tls) throws Exception {
    try (ServerSocket server = tls.serverSocket()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      Future<?> accept =
          pool.submit(
              () -> {
                try (Socket s = server.accept()) {
                  s.setSoTimeout(10_000);
                  ((SSLSocket) s).startHandshake(); // returns once the client's Finished came
                }
                return null;
              });
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new TrustAll()}, random);
      X509Certificate cert;
      try (SSLSocket c = (SSLSocket) ctx.getSocketFactory().createSocket()) {
        c.connect(server.getLocalSocketAddress(), 5000);
        c.setSoTimeout(10_000);
        c.startHandshake();
        cert = (X509Certificate) c.getSession().getPeerCertificates()[0];
      }
      // The client closes first: a server-side close waits (up to its read timeout) for the
      // client's close_notify, which cost this test ten seconds a handshake.
      accept.get(); // the server's side of the handshake completed too
      return cert;
    }
  }

  /** The test checks which certificate is served, not whether it is trusted. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
