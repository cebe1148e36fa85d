// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.mailseal.testing.TestCertificate;
import org.mailseal.tls.ServerTls;

/**
 * The listeners' self-signed certificate (as {@link ServerTls#selfSigned} keeps it; the test one
 * from {@code src/test/resources/tls}) as a server context for the dashboard, and a client context
 * that trusts exactly that certificate.
 */
record TestTls(SSLContext server, SSLContext client, X509Certificate certificate) {

  static TestTls make(Path dir, Clock clock) throws Exception {
    // The test certificate (src/test/resources/tls: 127.0.0.1 and ::1 among its names), left where
    // an earlier start would have made the pair: selfSigned loads it instead of generating an RSA
    // key. Making the pair is ListenerTlsTest's concern.
    TestCertificate.placeAsSelfSigned(dir);
    ServerTls.selfSigned(dir, "localhost", clock, new SecureRandom());
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(dir.resolve("selfsigned.crt"))) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    PrivateKey key;
    try (Reader r =
            Files.newBufferedReader(dir.resolve("selfsigned.key"), StandardCharsets.US_ASCII);
        PEMParser p = new PEMParser(r)) {
      key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) p.readObject());
    }
    char[] pw = "test".toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("web", key, pw, new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, new SecureRandom());

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("web", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), new SecureRandom());
    return new TestTls(server, client, cert);
  }
}
