// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.MutableClock;

/**
 * The listeners' TLS: certificate and key from PEM files, a renewed file served without a restart,
 * TLS 1.2 and 1.3 only, and a file that does not load named in the error.
 */
class ServerTlsTest {
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  final SecureRandom random = new SecureRandom();
  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void aRenewedCertificateFileIsServedWithoutARestart() throws Exception {
    Path live = dir.resolve("live");
    ServerTls.selfSigned(live, "mail.example.com", clock, random);
    Path cert = live.resolve("selfsigned.crt");
    Path key = live.resolve("selfsigned.key");
    ServerTls tls = ServerTls.fromFiles(cert, key, clock);
    X509Certificate first = Handshake.served(tls, pool, random);

    // A renewal (certbot, say) replaces both files.
    Path renewed = dir.resolve("renewed");
    ServerTls.selfSigned(renewed, "mail.example.com", clock, random);
    Files.copy(
        renewed.resolve("selfsigned.key"),
        key.resolveSibling("new.key"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.move(key.resolveSibling("new.key"), key, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(renewed.resolve("selfsigned.crt"), cert, StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(
        cert, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(60)));

    assertThat(Handshake.served(tls, pool, random))
        .as("checked at most every %s", ServerTls.RECHECK)
        .isEqualTo(first);
    clock.advance(ServerTls.RECHECK.plus(Duration.ofSeconds(1)));
    X509Certificate second = Handshake.served(tls, pool, random);
    assertThat(second).isNotEqualTo(first);
    assertThat(second.getPublicKey()).isNotEqualTo(first.getPublicKey());
  }

  @Test
  void onlyTls12And13AreSpoken() throws Exception {
    ServerTls tls = ServerTls.selfSigned(dir, "mail.example.com", clock, random);
    Handshake.served(tls, pool, random, "TLSv1.2");
    Handshake.served(tls, pool, random, "TLSv1.3");
    // The JDK client refuses TLS 1.1 by itself, so a handshake would prove nothing: ask the
    // server sockets what they enable.
    try (javax.net.ssl.SSLServerSocket s = (javax.net.ssl.SSLServerSocket) tls.serverSocket()) {
      assertThat(s.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }
    try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      assertThat(tls.startTls(accepted).getEnabledProtocols())
          .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }
  }

  @Test
  void aFileThatIsNotAPemCertificateIsNamed() throws Exception {
    Path cert = Files.writeString(dir.resolve("fullchain.pem"), "not a certificate\n");
    Path key = Files.writeString(dir.resolve("privkey.pem"), "not a key\n");
    assertThatThrownBy(() -> ServerTls.fromFiles(cert, key, clock))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("fullchain.pem");
  }
}
