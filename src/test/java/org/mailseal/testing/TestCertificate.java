// SPDX-License-Identifier: Apache-2.0
package org.mailseal.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test certificate of {@code src/test/resources/tls} (100 years; localhost, 127.0.0.1 and ::1
 * among its names), placed where the relay keeps its self-signed pair as if an earlier start had
 * made it. The relay then loads it instead of generating an RSA key, which is most of a start on
 * this machine. Making the pair stays covered by ListenerTlsTest and the serve tests.
 */
public final class TestCertificate {
  private static final Path RESOURCES = Path.of("src/test/resources/tls");

  private TestCertificate() {}

  /**
   * Copies the test pair into {@code directory} as {@code selfsigned.crt} and {@code .key}, unless
   * a pair is there already (a relay started before in the same directory keeps its own).
   */
  public static void placeAsSelfSigned(Path directory) throws IOException {
    Path cert = directory.resolve("selfsigned.crt");
    Path key = directory.resolve("selfsigned.key");
    if (Files.exists(cert) || Files.exists(key)) {
      return;
    }
    Files.createDirectories(directory);
    Files.copy(RESOURCES.resolve("server.crt"), cert);
    Files.copy(RESOURCES.resolve("server.key"), key);
  }
}
