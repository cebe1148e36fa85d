// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The TLS mailseal uses as a client of an upstream: system trust, or the CAs of one PEM file. */
public final class ClientTls {
  private ClientTls() {}

  /** The JDK's trusted CAs. */
  public static SSLSocketFactory systemTrust() {
    try {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(null, null, null);
      return c.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /**
   * TLS that accepts any certificate: for opportunistic STARTTLS to an MX, where there is no name
   * to authenticate (RFC 7435: encrypt when possible, authenticate when a policy says so). It
   * protects against passive eavesdropping only; never use it where a certificate can be checked.
   */
  public static SSLSocketFactory unverified() {
    X509TrustManager any =
        new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(null, new TrustManager[] {any}, null);
      return c.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /**
   * Trusts exactly the certificates in {@code pem} (a CA bundle, or the upstream's own
   * certificate).
   *
   * @throws IOException naming the file when it cannot be read or holds no certificate
   */
  public static SSLSocketFactory fromCaFile(Path pem) throws IOException {
    TrustManagerFactory tmf = trustingOnly(pem);
    try {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(null, tmf.getTrustManagers(), null);
      return c.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /**
   * Trust managers for exactly the certificates in {@code pem}; {@link CheckedTls} builds on them
   * too.
   *
   * @throws IOException naming the file when it cannot be read or holds no certificate
   */
  static TrustManagerFactory trustingOnly(Path pem) throws IOException {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IOException(pem + ": no certificate in the file");
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      return tmf;
    } catch (GeneralSecurityException e) {
      throw new IOException(pem + ": not a PEM certificate file (" + e.getMessage() + ")", e);
    }
  }
}
