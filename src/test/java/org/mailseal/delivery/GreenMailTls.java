// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import org.mailseal.tls.ServerTls;

/**
 * The TLS certificate GreenMail serves in delivery tests, made once per JVM: GreenMail builds its
 * TLS socket factory once, from the first key store named in its system properties, so every test
 * class must hand it the same one. Names "localhost"; {@link #CA} is the PEM to trust.
 */
final class GreenMailTls {
  static final Path DIR;
  static final Path CA;
  static final Path P12;

  static {
    try {
      DIR = Files.createTempDirectory("mailseal-greenmail-tls");
      DIR.toFile().deleteOnExit();
      ServerTls tls =
          ServerTls.selfSigned(
              DIR.resolve("tls"), "localhost", Clock.systemUTC(), new SecureRandom());
      CA = DIR.resolve("tls/selfsigned.crt");
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "greenmail",
          org.mailseal.submission.ServerTlsKeys.privateKey(DIR.resolve("tls/selfsigned.key")),
          "changeit".toCharArray(),
          new X509Certificate[] {tls.certificate()});
      P12 = DIR.resolve("greenmail.p12");
      try (OutputStream os = Files.newOutputStream(P12)) {
        ks.store(os, "changeit".toCharArray());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private GreenMailTls() {}

  /** Points GreenMail at the key store; call before starting an SMTPS GreenMail. */
  static void configure() {
    System.setProperty("greenmail.tls.keystore.file", P12.toString());
    System.setProperty("greenmail.tls.keystore.password", "changeit");
  }
}
