// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    X509Certificate first = Handshake.served(tls, pool, random);

    Path renewed = dir.resolve("renewed");
    ServerTls.selfSigned(renewed, "mail.example.com", clock, random);
    replace(renewed.resolve("selfsigned.key"), key); // the key first, as AcmeRenewer writes
    clock.advance(ServerTls.RECHECK.plus(Duration.ofSeconds(1)));
    assertThat(Handshake.served(tls, pool, random))
        .isEqualTo(first); // the handshake works, with the old pair

    replace(renewed.resolve("selfsigned.crt"), cert);
    clock.advance(ServerTls.RECHECK.plus(Duration.ofSeconds(1)));
    assertThat(Handshake.served(tls, pool, random)).isNotEqualTo(first);
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
}
