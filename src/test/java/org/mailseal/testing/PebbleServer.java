// SPDX-License-Identifier: Apache-2.0
package org.mailseal.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Let's Encrypt's test ACME server, Pebble ({@code /usr/bin/pebble}), for tests: its ACME and
 * management listeners on free ports of 127.0.0.1, served with a certificate from a CA the test
 * makes ({@link #caFile()}: what the ACME client trusts), validating DNS-01 challenges by asking
 * {@code dnsServer}, with no sleeps before validation. Its own issuing root is fetched from the
 * management listener ({@link #issuingRoot()}). Without the binary (Debian package {@code pebble})
 * the calling test is skipped, saying so.
 */
public final class PebbleServer implements AutoCloseable {
  private final Process process;
  private final Path directory;
  private final int acmePort;
  private final int managementPort;
  private final SSLContext trust;

  private PebbleServer(
      Process process, Path directory, int acmePort, int managementPort, SSLContext trust) {
    this.process = process;
    this.directory = directory;
    this.acmePort = acmePort;
    this.managementPort = managementPort;
    this.trust = trust;
  }

  /**
   * Starts Pebble in {@code directory}, validating challenges with {@code dnsServer} (host:port).
   */
  public static PebbleServer start(Path directory, String dnsServer) throws Exception {
    Path binary = Path.of("/usr/bin/pebble");
    assumeTrue(
        Files.isExecutable(binary),
        "SKIPPED: pebble not found (install the Debian package pebble): the ACME tests need"
            + " Let's Encrypt's test server");
    Files.createDirectories(directory);
    // A CA of our own for Pebble's HTTPS, so the client trusts exactly it.
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256, new SecureRandom());
    KeyPair caKey = g.generateKeyPair();
    KeyPair serverKey = g.generateKeyPair();
    Instant now = Instant.now();
    X500Name caName = new X500Name("CN=mailseal test CA for pebble");
    JcaX509v3CertificateBuilder ca =
        new JcaX509v3CertificateBuilder(
            caName,
            BigInteger.ONE,
            Date.from(now.minus(Duration.ofDays(1))),
            Date.from(now.plus(Duration.ofDays(30))),
            caName,
            caKey.getPublic());
    ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    X509Certificate caCert =
        new JcaX509CertificateConverter()
            .getCertificate(
                ca.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
    JcaX509v3CertificateBuilder server =
        new JcaX509v3CertificateBuilder(
            caName,
            BigInteger.TWO,
            Date.from(now.minus(Duration.ofDays(1))),
            Date.from(now.plus(Duration.ofDays(30))),
            new X500Name("CN=127.0.0.1"),
            serverKey.getPublic());
    server.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost")
            }));
    X509Certificate serverCert =
        new JcaX509CertificateConverter()
            .getCertificate(
                server.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
    Files.writeString(directory.resolve("ca.pem"), pem(caCert));
    Files.writeString(directory.resolve("cert.pem"), pem(serverCert));
    Files.writeString(
        directory.resolve("key.pem"), pem(new JcaPKCS8Generator(serverKey.getPrivate(), null)));

    int acme = freePort();
    int management = freePort();
    int http = freePort();
    int tls = freePort();
    Path config = directory.resolve("pebble-config.json");
    Files.writeString(
        config,
        "{\"pebble\": {\n"
            + "  \"listenAddress\": \"127.0.0.1:"
            + acme
            + "\",\n  \"managementListenAddress\": \"127.0.0.1:"
            + management
            + "\",\n  \"certificate\": \""
            + directory.resolve("cert.pem")
            + "\",\n  \"privateKey\": \""
            + directory.resolve("key.pem")
            + "\",\n  \"httpPort\": "
            + http
            + ",\n  \"tlsPort\": "
            + tls
            + ",\n  \"ocspResponderURL\": \"\",\n  \"externalAccountBindingRequired\": false\n"
            + "}}\n");
    ProcessBuilder pb =
        new ProcessBuilder(binary.toString(), "-config", config.toString(), "-dnsserver", dnsServer)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("pebble.log").toFile());
    pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
    pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
    pb.environment().put("PEBBLE_AUTHZREUSE", "0"); // every order proves its names again
    Process p = pb.start();

    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", caCert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext trust = SSLContext.getInstance("TLS");
    trust.init(null, tmf.getTrustManagers(), null);
    PebbleServer pebble = new PebbleServer(p, directory, acme, management, trust);
    try {
      Awaitility.await("pebble answering on 127.0.0.1:" + acme)
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !p.isAlive() || pebble.answers());
      if (!p.isAlive()) {
        throw new IOException("pebble exited: " + pebble.log());
      }
    } catch (RuntimeException | IOException e) {
      pebble.close();
      throw e;
    }
    return pebble;
  }

  private boolean answers() {
    try {
      return get(directoryUrl()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    HttpClient client =
        HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(2)).build();
    return client.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The ACME directory URL. */
  public URI directoryUrl() {
    return URI.create("https://127.0.0.1:" + acmePort + "/dir");
  }

  /** The PEM file of the CA that signed Pebble's own HTTPS certificate. */
  public Path caFile() {
    return directory.resolve("ca.pem");
  }

  /** The root Pebble issues under (made fresh at each start), as PEM. */
  public String issuingRoot() throws IOException, InterruptedException {
    HttpResponse<String> r = get(URI.create("https://127.0.0.1:" + managementPort + "/roots/0"));
    if (r.statusCode() != 200) {
      throw new IOException("pebble /roots/0: HTTP " + r.statusCode());
    }
    return r.body();
  }

  /** What Pebble printed so far. */
  public String log() {
    try {
      return Files.readString(directory.resolve("pebble.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
