// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import org.mailseal.config.MailsealConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners' {@link ServerTls} as the configuration says ({@link CertificateFiles}): the
 * configured files; with {@code tls.acme}, the files {@link AcmeRenewer} writes, seeded with the
 * self-signed pair until the first certificate is issued (so the listeners pick the issued one up
 * without a restart); otherwise the self-signed pair.
 */
public final class ListenerTls {
  private static final Logger log = LoggerFactory.getLogger(ListenerTls.class);

  private ListenerTls() {}

  /**
   * Opens the listeners' TLS for {@code config}, making the self-signed certificate when needed.
   *
   * @throws TlsException naming the file that does not load
   */
  public static ServerTls open(MailsealConfig config, Clock clock, SecureRandom random)
      throws TlsException {
    CertificateFiles files = CertificateFiles.of(config);
    MailsealConfig.Tls t = config.tls();
    switch (files.source()) {
      case "configured":
        return ServerTls.fromFiles(files.certificate(), files.key(), clock);
      case "acme":
        if (!files.exist()) {
          ServerTls.selfSigned(t.selfSignedDirectory(), config.server().hostname(), clock, random);
          try {
            files.copyFrom(
                new CertificateFiles(
                    CertificateFiles.selfSignedCertificate(t.selfSignedDirectory()),
                    CertificateFiles.selfSignedKey(t.selfSignedDirectory()),
                    "self-signed"));
          } catch (IOException e) {
            throw new TlsException(
                "cannot prepare " + files.certificate() + ": " + e.getMessage(), e);
          }
          log.warn(
              "tls serving the self-signed certificate until the first ACME certificate for {} is"
                  + " issued; clients warn until then",
              t.acme().get().names());
        }
        return ServerTls.fromFiles(files.certificate(), files.key(), clock);
      default:
        return ServerTls.selfSigned(
            t.selfSignedDirectory(), config.server().hostname(), clock, random);
    }
  }
}
