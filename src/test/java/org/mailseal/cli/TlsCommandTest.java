// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.tls.CertificateInfo;
import org.mailseal.tls.ServerTls;

/** {@code mailseal tls status}: what the listeners serve, and when ACME renews it. */
@Timeout(30)
class TlsCommandTest {
  @TempDir Path dir;

  static final Instant NOW = Instant.parse("2026-12-05T00:00:00Z");

  MailsealConfig config() throws Exception {
    Path yaml = dir.resolve("mailseal.yaml");
    Files.writeString(
        yaml,
        "tls:\n  self-signed-directory: "
            + dir.resolve("tls")
            + "\n  acme:\n    directory: https://acme.example/directory\n"
            + "    email: postmaster@example.com\n    names: [mail.example.com]\n"
            + "    dns-update: primary\n    renew-before: 30d\n"
            + "dns-updates:\n  primary:\n    rfc2136:\n      server: 192.0.2.53\n"
            + "      tsig: {name: mailseal., secret-env: TSIG}\n"
            + "domains:\n  example.com: {}\n");
    return ConfigLoader.load(yaml);
  }

  String print(MailsealConfig c, int expectedCode) {
    StringWriter out = new StringWriter();
    assertThat(
            TlsCommand.print(
                c, Clock.fixed(NOW, ZoneOffset.UTC), new java.io.PrintWriter(out, true)))
        .isEqualTo(expectedCode);
    return out.toString();
  }

  @Test
  void withoutAnyCertificateItSaysSoAndExitsOne() throws Exception {
    assertThat(print(config(), 1)).contains("no certificate yet");
  }

  @Test
  void beforeTheFirstAcmeCertificateTheSelfSignedOneIsShownAndRenewalIsDue() throws Exception {
    MailsealConfig c = config();
    ServerTls.selfSigned(
        c.tls().selfSignedDirectory(), "mail.example.com", Clock.systemUTC(), new SecureRandom());
    String out = print(c, 0);
    assertThat(out)
        .contains("source: self-signed until the first ACME certificate")
        .contains("names: mail.example.com")
        .contains("next renewal: due now");
  }

  @Test
  void issuedCertificateShowsNamesIssuerFingerprintAndNextRenewal() throws Exception {
    MailsealConfig c = config();
    Path cert = c.tls().acme().orElseThrow().stateDirectory().resolve("cert.pem");
    Instant notAfter = NOW.plus(Duration.ofDays(90));
    Files.createDirectories(cert.getParent());
    Files.writeString(cert, issued(notAfter));
    CertificateInfo info = CertificateInfo.read(cert);
    String out = print(c, 0);
    assertThat(out)
        .contains("submission 127.0.0.1:2587 (STARTTLS): " + cert)
        .contains("submissions 127.0.0.1:2465 (implicit TLS): " + cert)
        .contains("source: acme")
        .contains("names: mail.example.com")
        .contains("issuer: CN=Test Issuing CA")
        .contains("not after: " + notAfter + " (90 days)")
        .contains("SHA-256: " + info.fingerprint())
        .contains("next renewal: " + notAfter.minus(Duration.ofDays(30)) + " (renew-before 30d");
    assertThat(info.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
  }

  @Test
  void commandLineNeedsAReadableConfiguration() {
    assertThat(run("tls", "status", "--config", dir.resolve("missing.yaml").toString()).code())
        .isNotZero();
  }

  /** A leaf for mail.example.com signed by a throwaway CA, as PEM. */
  static String issued(Instant notAfter) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    KeyPair ca = g.generateKeyPair();
    KeyPair leaf = g.generateKeyPair();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=Test Issuing CA"),
            BigInteger.TEN,
            Date.from(NOW.minus(Duration.ofDays(1))),
            Date.from(notAfter),
            new X500Name("CN=mail.example.com"),
            leaf.getPublic());
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, "mail.example.com")));
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(
          new JcaX509CertificateConverter()
              .getCertificate(
                  b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate()))));
    }
    return w.toString();
  }
}
