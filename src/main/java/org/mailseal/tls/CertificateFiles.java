// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.mailseal.config.MailsealConfig;
import org.mailseal.fs.AtomicFiles;

/**
 * Which certificate and key files the listeners serve, and why: the configured {@code
 * tls.certificate} and {@code tls.key}; with {@code tls.acme}, the files {@link AcmeRenewer} writes
 * (seeded with the self-signed pair until the first certificate is issued); otherwise the
 * self-signed pair in {@code tls.self-signed-directory}.
 *
 * @param source {@code configured}, {@code acme} or {@code self-signed}
 */
public record CertificateFiles(Path certificate, Path key, String source) {
  /** The self-signed certificate's file in {@code directory}. */
  public static Path selfSignedCertificate(Path directory) {
    return directory.resolve("selfsigned.crt");
  }

  /** The self-signed key's file in {@code directory}. */
  public static Path selfSignedKey(Path directory) {
    return directory.resolve("selfsigned.key");
  }

  /** The files {@code config} makes the listeners serve. */
  public static CertificateFiles of(MailsealConfig config) {
    MailsealConfig.Tls tls = config.tls();
    if (tls.certificate().isPresent() && tls.key().isPresent()) {
      return new CertificateFiles(tls.certificate().get(), tls.key().get(), "configured");
    }
    if (tls.acme().isPresent()) {
      Path dir = tls.acme().get().stateDirectory();
      return new CertificateFiles(dir.resolve("cert.pem"), dir.resolve("key.pem"), "acme");
    }
    return new CertificateFiles(
        selfSignedCertificate(tls.selfSignedDirectory()),
        selfSignedKey(tls.selfSignedDirectory()),
        "self-signed");
  }

  /** Whether both files exist. */
  public boolean exist() {
    return Files.exists(certificate) && Files.exists(key);
  }

  /**
   * Copies {@code source}'s pair here (the key 0600 first, then the certificate, each atomically),
   * in a directory made private if it does not exist.
   */
  public void copyFrom(CertificateFiles source) throws IOException {
    AtomicFiles.createPrivateDirectories(certificate.toAbsolutePath().getParent());
    AtomicFiles.writePrivate(key, Files.readAllBytes(source.key()));
    AtomicFiles.write(
        certificate,
        Files.readAllBytes(source.certificate()),
        PosixFilePermissions.fromString("rw-r--r--"));
  }
}
