// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.LoginThrottle;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.UserStore;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.records.Rfc2136Updater;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.BindServer;
import org.mailseal.testing.MutableClock;
import org.mailseal.testing.PebbleServer;
import org.mailseal.tls.AcmeRenewer;
import org.mailseal.tls.CertificateInfo;
import org.mailseal.tls.ChallengePropagation;
import org.mailseal.tls.ServerTls;
import org.xbill.DNS.Name;

/**
 * The proof of ACME for the listeners: Pebble issues a certificate for mail.example.com after a
 * DNS-01 challenge mailseal wrote to BIND; both listeners then serve it, without a restart, to a
 * client trusting only Pebble's root and checking the name; a failed renewal keeps it serving, and
 * a renewal inside {@code renew-before} replaces it.
 */
@Timeout(180)
class AcmeListenersTest {
  @TempDir Path dir;

  @Test
  void pebbleCertificateIsServedOnBothListenersAndRenewed() throws Exception {
    try (BindServer bind = BindServer.start(dir.resolve("bind"), "example.com");
        PebbleServer pebble = PebbleServer.start(dir.resolve("pebble"), bind.hostPort())) {
      Path secret = dir.resolve("tsig.secret");
      Files.writeString(secret, bind.secret() + "\n");
      Path yaml = dir.resolve("mailseal.yaml");
      Files.writeString(
          yaml,
          String.join(
              "\n",
              "server: {hostname: mail.example.com}",
              "tls:",
              "  self-signed-directory: " + dir.resolve("tls"),
              "  acme:",
              "    directory: " + pebble.directoryUrl(),
              "    email: postmaster@example.com",
              "    names: [mail.example.com]",
              "    dns-update: primary",
              "    ca-file: " + pebble.caFile(),
              "    renew-before: 30d",
              "dns-updates:",
              "  primary:",
              "    rfc2136:",
              "      server: " + bind.hostPort(),
              "      tsig: {name: mailseal., algorithm: hmac-sha256, secret-file: " + secret + "}",
              "listeners:",
              "  submission: {address: 127.0.0.1, port: 0}",
              "  submissions: {address: 127.0.0.1, port: 0}",
              "users: {file: " + dir.resolve("users.yaml") + "}",
              "keys: {directory: " + dir.resolve("keys") + "}",
              "spool: {directory: " + dir.resolve("spool") + "}",
              "domains:",
              "  example.com: {}",
              ""));
      MailsealConfig config = ConfigLoader.load(yaml);
      MailsealConfig.Acme acme = config.tls().acme().orElseThrow();
      assertThat(acme.zone()).isEqualTo("example.com");
      assertThat(acme.stateDirectory()).isEqualTo(dir.resolve("tls").resolve("acme"));

      // Renewal decisions on a clock the test moves; TSIG on the wall clock BIND checks.
      MutableClock clock = new MutableClock(Instant.now());
      SecureRandom random = new SecureRandom();
      AcmeRenewer renewer =
          new AcmeRenewer(
              acme,
              Rfc2136Updater.of(config.dnsUpdate("primary").orElseThrow(), Clock.systemUTC()),
              // Every authoritative server of example.com (BIND's NS record) must show the record.
              ChallengePropagation.authoritative(
                  DnsjavaLookup.server(bind.hostPort()),
                  bind.port(),
                  Duration.ofSeconds(20),
                  Duration.ofMillis(200)),
              clock,
              random);
      RelayMetrics metrics = new RelayMetrics(new SimpleMeterRegistry());
      metrics.certificateExpiry(() -> renewer.current().map(CertificateInfo::notAfter));

      // Until the first certificate exists, the listeners serve the self-signed one from the
      // files the renewer will replace.
      MutableClock tlsClock = new MutableClock(Instant.now());
      ServerTls selfSigned =
          ServerTls.selfSigned(
              config.tls().selfSignedDirectory(), "mail.example.com", tlsClock, random);
      assertThat(
              renewer.seed(
                  config.tls().selfSignedDirectory().resolve("selfsigned.crt"),
                  config.tls().selfSignedDirectory().resolve("selfsigned.key")))
          .isTrue();
      assertThat(selfSigned.certificate()).isNotNull();
      ServerTls tls = ServerTls.fromFiles(renewer.certificateFile(), renewer.keyFile(), tlsClock);
      SubmissionServer server = start(config, tls, tlsClock, random);
      try {
        AcmeRenewer.Outcome first = renewer.renewIfDue();
        assertThat(first).as(pebble.log()).isInstanceOf(AcmeRenewer.Renewed.class);
        assertThat(((AcmeRenewer.Renewed) first).why()).isEqualTo("self-signed");
        CertificateInfo issued = ((AcmeRenewer.Renewed) first).issued();
        assertThat(issued.names()).containsExactly("mail.example.com");
        assertThat(Files.getPosixFilePermissions(renewer.keyFile()))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(acme.stateDirectory().resolve("account.key")))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // The challenge record is gone once validated.
        assertThat(
                DnsjavaLookup.server(bind.hostPort())
                    .txt(Name.fromString("_acme-challenge.mail.example.com.")))
            .isEmpty();
        assertThat(metrics.registry().get("mailseal.tls.certificate.expiry").gauge().value())
            .isEqualTo((double) issued.notAfter().getEpochSecond());

        // Both listeners serve it, without a restart, to a client trusting only Pebble's root.
        SSLContext trust = trustOnly(pebble.issuingRoot());
        tlsClock.advance(Duration.ofSeconds(6)); // past the key manager's recheck interval
        assertServes(startTls(server.ports().get(0), trust), issued, pebble.issuingRoot());
        assertServes(implicitTls(server.ports().get(1), trust), issued, pebble.issuingRoot());

        // Not due yet: nothing happens.
        assertThat(renewer.renewIfDue()).isInstanceOf(AcmeRenewer.NotDue.class);
        assertThat(renewer.nextRenewal()).isEqualTo(issued.notAfter().minus(Duration.ofDays(30)));

        // Inside renew-before with a broken TSIG secret: renewal fails, the old one keeps serving.
        clock.set(issued.notAfter().minus(Duration.ofDays(29)));
        Files.writeString(secret, "c2VjcmV0IHRoYXQgaXMgbm90IHRoZSBzZXJ2ZXIncw==\n");
        AcmeRenewer.Outcome failed = renewer.renewIfDue();
        assertThat(failed).isInstanceOf(AcmeRenewer.Failed.class);
        assertThat(failed.describe()).contains("BADSIG");
        assertThat(renewer.renewIfDue()).isInstanceOf(AcmeRenewer.Waiting.class);
        tlsClock.advance(Duration.ofSeconds(6));
        assertServes(implicitTls(server.ports().get(1), trust), issued, pebble.issuingRoot());

        // Fixed, and past the backoff: a new certificate, served at the next handshake.
        Files.writeString(secret, bind.secret() + "\n");
        clock.advance(AcmeRenewer.FIRST_BACKOFF);
        AcmeRenewer.Outcome renewed = renewer.renewIfDue();
        assertThat(renewed).isInstanceOf(AcmeRenewer.Renewed.class);
        CertificateInfo next = ((AcmeRenewer.Renewed) renewed).issued();
        assertThat(next.fingerprint()).isNotEqualTo(issued.fingerprint());
        tlsClock.advance(Duration.ofSeconds(6));
        assertServes(startTls(server.ports().get(0), trust), next, pebble.issuingRoot());
      } finally {
        server.stop(Duration.ofSeconds(2));
      }
    }
  }

  private SubmissionServer start(
      MailsealConfig config, ServerTls tls, Clock clock, SecureRandom random) throws Exception {
    FileKeyStore keys = new FileKeyStore(config.keys().directory(), clock);
    SigningKeys signing = new SigningKeys(keys, Set.copyOf(config.domainNames()), clock, 65536);
    signing.refresh();
    Spool spool = Spool.open(config.spool().directory(), clock, SpoolOptions.defaults(random));
    UserStore users = new UserStore(config.users().file(), clock);
    PasswordHasher hasher = new PasswordHasher(random);
    SubmissionServer server =
        new SubmissionServer(
            new SubmissionServer.Parts(
                SubmissionServer.Options.of(config),
                tls,
                users,
                new Authenticator(users, hasher, new LoginThrottle(clock), clock, random),
                signing,
                spool,
                dir.resolve("tmp"),
                RelayMetrics.none(),
                clock,
                random));
    server.start();
    return server;
  }

  private static SSLContext trustOnly(String rootPem) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("pebble-root", root(rootPem));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static X509Certificate root(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  /** TLS over {@code plain} as a client checking the name mail.example.com (RFC 6125). */
  private static SSLSocket handshake(Socket plain, SSLContext trust) throws IOException {
    SSLSocket s =
        (SSLSocket)
            trust.getSocketFactory().createSocket(plain, "mail.example.com", plain.getPort(), true);
    SSLParameters p = s.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(p);
    s.setUseClientMode(true);
    s.startHandshake();
    return s;
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(15000);
    return s;
  }

  private static List<Certificate> startTls(int port, SSLContext trust) throws IOException {
    try (Socket plain = connect(port)) {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = plain.getOutputStream();
      assertThat(reply(in)).startsWith("220 ");
      out.write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(reply(in)).contains("STARTTLS");
      out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(reply(in)).startsWith("220 ");
      try (SSLSocket tls = handshake(plain, trust)) {
        return List.of(tls.getSession().getPeerCertificates());
      }
    }
  }

  private static List<Certificate> implicitTls(int port, SSLContext trust) throws IOException {
    try (Socket plain = connect(port);
        SSLSocket tls = handshake(plain, trust)) {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(reply(in)).startsWith("220 ");
      return List.of(tls.getSession().getPeerCertificates());
    }
  }

  private static String reply(BufferedReader in) throws IOException {
    StringBuilder sb = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null) {
      sb.append(line).append('\n');
      if (line.length() < 4 || line.charAt(3) != '-') {
        break;
      }
    }
    return sb.toString();
  }

  /** The served chain is the issued leaf, then certificates up to one Pebble's root signed. */
  private static void assertServes(List<Certificate> chain, CertificateInfo issued, String rootPem)
      throws Exception {
    X509Certificate leaf = (X509Certificate) chain.get(0);
    assertThat(CertificateInfo.of(leaf).fingerprint()).isEqualTo(issued.fingerprint());
    assertThat(CertificateInfo.of(leaf).names()).contains("mail.example.com");
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate c = (X509Certificate) chain.get(i);
      X509Certificate up = (X509Certificate) chain.get(i + 1);
      assertThat(c.getIssuerX500Principal()).isEqualTo(up.getSubjectX500Principal());
      c.verify(up.getPublicKey());
    }
    X509Certificate top = (X509Certificate) chain.get(chain.size() - 1);
    top.verify(root(rootPem).getPublicKey());
  }
}
