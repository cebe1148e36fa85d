// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;

/** Which files the listeners serve, and the self-signed stand-in before the first ACME one. */
@Timeout(60)
class ListenerTlsTest {
  @TempDir Path dir;

  MailsealConfig config(boolean acme) throws Exception {
    Path yaml = dir.resolve("mailseal.yaml");
    Files.writeString(
        yaml,
        "tls:\n  self-signed-directory: "
            + dir.resolve("tls")
            + "\n"
            + (acme
                ? "  acme:\n    directory: https://acme.example/directory\n"
                    + "    email: postmaster@example.com\n    names: [mail.example.com]\n"
                    + "    dns-update: primary\n"
                    + "dns-updates:\n  primary:\n    rfc2136:\n      server: 192.0.2.53\n"
                    + "      tsig: {name: mailseal., secret-env: TSIG}\n"
                : "")
            + "domains:\n  example.com: {}\n");
    return ConfigLoader.load(yaml);
  }

  @Test
  void withAcmeTheSelfSignedPairIsServedFromTheFilesTheRenewerReplaces() throws Exception {
    MailsealConfig c = config(true);
    ServerTls tls = ListenerTls.open(c, Clock.systemUTC(), new SecureRandom());
    CertificateFiles files = CertificateFiles.of(c);
    assertThat(files.source()).isEqualTo("acme");
    assertThat(files.certificate()).isEqualTo(dir.resolve("tls/acme/cert.pem"));
    assertThat(Files.getPosixFilePermissions(files.key()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    CertificateInfo served = CertificateInfo.of(tls.certificate());
    assertThat(served.selfSigned()).isTrue();
    assertThat(served.fingerprint())
        .isEqualTo(CertificateInfo.read(dir.resolve("tls/selfsigned.crt")).fingerprint());

    // An issued certificate in place is kept: the next start does not seed again.
    Files.writeString(files.certificate(), Files.readString(files.certificate()) + "\n");
    long size = Files.size(files.certificate());
    ListenerTls.open(c, Clock.systemUTC(), new SecureRandom());
    assertThat(Files.size(files.certificate())).isEqualTo(size);
  }

  @Test
  void withoutAcmeOrFilesTheSelfSignedPairIsServed() throws Exception {
    MailsealConfig c = config(false);
    ServerTls tls = ListenerTls.open(c, Clock.systemUTC(), new SecureRandom());
    assertThat(CertificateFiles.of(c).source()).isEqualTo("self-signed");
    assertThat(CertificateInfo.of(tls.certificate()).fingerprint())
        .isEqualTo(CertificateInfo.read(dir.resolve("tls/selfsigned.crt")).fingerprint());
  }
}
