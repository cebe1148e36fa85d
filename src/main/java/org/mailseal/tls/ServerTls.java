// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.mailseal.fs.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners' TLS: the certificate chain and key from PEM files, or a self-signed certificate
 * made once and kept. TLS 1.2 and 1.3 only. The files are looked at again, at most every few
 * seconds, when a handshake starts, so a renewed certificate is used without a restart; a file that
 * does not load keeps the previous certificate in use.
 */
public final class ServerTls {
  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  static final Duration RECHECK = Duration.ofSeconds(5);

  private final Path certFile;
  private final Path keyFile;
  private final Clock clock;
  private final SSLContext context;
  private final ReloadingKeyManager keyManager;

  private ServerTls(Path certFile, Path keyFile, Clock clock) throws GeneralSecurityException {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.clock = clock;
    this.keyManager = new ReloadingKeyManager(this::loadMaterial, clock, RECHECK);
    this.context = SSLContext.getInstance("TLS");
    context.init(new javax.net.ssl.KeyManager[] {keyManager}, null, new SecureRandom());
  }

  /**
   * The TLS of the given certificate and key files.
   *
   * @throws TlsException naming the file that does not load
   */
  public static ServerTls fromFiles(Path certificate, Path key, Clock clock) throws TlsException {
    try {
      ServerTls tls = new ServerTls(certificate, key, clock);
      tls.keyManager.loadNow();
      return tls;
    } catch (GeneralSecurityException e) {
      throw new TlsException("TLS is not available: " + e.getMessage(), e);
    }
  }

  /**
   * The self-signed certificate kept in {@code directory}, made for {@code hostname} on first use.
   */
  public static ServerTls selfSigned(
      Path directory, String hostname, Clock clock, SecureRandom random) throws TlsException {
    Path cert = directory.resolve("selfsigned.crt");
    Path key = directory.resolve("selfsigned.key");
    if (!Files.exists(cert) || !Files.exists(key)) {
      try {
        AtomicFiles.createPrivateDirectories(directory);
        makeSelfSigned(cert, key, hostname, clock, random);
      } catch (IOException
          | GeneralSecurityException
          | org.bouncycastle.operator.OperatorCreationException e) {
        throw new TlsException(
            "cannot make a self-signed certificate in " + directory + ": " + e.getMessage(), e);
      }
      log.info("tls self-signed certificate created file={}", cert);
    }
    return fromFiles(cert, key, clock);
  }

  /** SHA-256 of the certificate in use, as colon-separated hex (what clients show). */
  public String fingerprint() {
    try {
      byte[] der = keyManager.current().chain()[0].getEncoded();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
      StringBuilder sb = new StringBuilder();
      for (byte b : digest) {
        if (sb.length() > 0) {
          sb.append(':');
        }
        sb.append(HexFormat.of().withUpperCase().toHexDigits(b));
      }
      return sb.toString();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The certificate in use. */
  public X509Certificate certificate() {
    return keyManager.current().chain()[0];
  }

  /** A server socket speaking TLS from the first byte (port 465). */
  public ServerSocket serverSocket() throws IOException {
    SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    s.setEnabledProtocols(PROTOCOLS);
    return s;
  }

  /** Wraps an accepted plain socket after STARTTLS; no reverse DNS lookup of the client. */
  public SSLSocket startTls(Socket plain) throws IOException {
    String peer = plain.getInetAddress().getHostAddress();
    SSLSocket s =
        (SSLSocket) context.getSocketFactory().createSocket(plain, peer, plain.getPort(), true);
    s.setUseClientMode(false);
    s.setEnabledProtocols(PROTOCOLS);
    return s;
  }

  /**
   * TLS from the first byte over an accepted plain socket, for an implicit-TLS listener behind a
   * PROXY-protocol balancer: {@code early} holds the bytes of the client's handshake already read
   * past the PROXY header.
   */
  public SSLSocket acceptTls(Socket plain, byte[] early) throws IOException {
    SSLSocket s =
        (SSLSocket)
            context
                .getSocketFactory()
                .createSocket(plain, new java.io.ByteArrayInputStream(early), true);
    s.setEnabledProtocols(PROTOCOLS);
    return s;
  }

  /** The TLS context of the listeners, for another listener that serves the same certificate. */
  public SSLContext context() {
    return context;
  }

  private ReloadingKeyManager.Material loadMaterial() throws GeneralSecurityException, IOException {
    FileTime certTime = Files.getLastModifiedTime(certFile);
    FileTime keyTime = Files.getLastModifiedTime(keyFile);
    X509Certificate[] chain = readChain(certFile);
    PrivateKey key = readKey(keyFile);
    // A renewal replaces the key and the certificate one after the other: a reload between the
    // two must not pair the new key with the old certificate (every handshake would fail).
    if (!belongTogether(key, chain[0])) {
      throw new GeneralSecurityException(
          keyFile + ": the key does not belong to the certificate in " + certFile);
    }
    return new ReloadingKeyManager.Material(
        chain, key, certTime.toMillis() + ":" + keyTime.toMillis() + ":" + Files.size(certFile));
  }

  /** Whether {@code key} signs what {@code cert}'s public key verifies. */
  static boolean belongTogether(PrivateKey key, X509Certificate cert) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return true; // a kind we cannot test here: the handshake will tell
    }
    try {
      byte[] probe = "mailseal key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static X509Certificate[] readChain(Path file) throws GeneralSecurityException, IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
              .map(c -> (X509Certificate) c)
              .toList();
      if (certs.isEmpty()) {
        throw new GeneralSecurityException(file + ": no certificate in the file");
      }
      return certs.toArray(new X509Certificate[0]);
    } catch (java.security.cert.CertificateException e) {
      throw new GeneralSecurityException(file + ": not a PEM certificate (" + e.getMessage() + ")");
    }
  }

  public static PrivateKey readKey(Path file) throws GeneralSecurityException, IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return conv.getKeyPair(pair).getPrivate();
      } else if (o instanceof PrivateKeyInfo info) {
        return conv.getPrivateKey(info);
      }
      // Never echo the file's content: it is a private key.
      throw new GeneralSecurityException(
          file + ": not an unencrypted PEM private key (PKCS#8, or PKCS#1 / SEC 1 for RSA / EC)");
    }
  }

  private static void makeSelfSigned(
      Path certFile, Path keyFile, String hostname, Clock clock, SecureRandom random)
      throws GeneralSecurityException,
          IOException,
          org.bouncycastle.operator.OperatorCreationException {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048, random);
    KeyPair pair = gen.generateKeyPair();
    Instant now = clock.instant();
    X500Name name = new X500Name("CN=" + hostname);
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            new BigInteger(64, random).abs().add(BigInteger.ONE),
            Date.from(now.minus(Duration.ofDays(1))),
            Date.from(now.plus(Duration.ofDays(3650))),
            name,
            pair.getPublic());
    GeneralName[] names = {
      new GeneralName(GeneralName.dNSName, hostname),
      new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
      new GeneralName(GeneralName.iPAddress, "::1")
    };
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate());
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer));
    AtomicFiles.writePrivate(keyFile, pem(pair.getPrivate()));
    AtomicFiles.write(
        certFile, pem(cert), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
  }

  private static byte[] pem(Object o) throws IOException {
    java.io.StringWriter w = new java.io.StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(
          o instanceof PrivateKey k
              ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null)
              : o);
    }
    return w.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** A key store holding the current material, for tests and clients that trust it. */
  public KeyStore trustStore() throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("mailseal", certificate());
    return ks;
  }
}
