// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client TLS to a smarthost that checks the server's certificate (system trust, or the CAs of one
 * PEM file) and remembers the last certificate the server showed, so that a failure can be told in
 * words: whose certificate, issued by whom, naming which hosts. One instance per upstream.
 */
public final class CheckedTls {
  private final SSLSocketFactory factory;
  private final AtomicReference<X509Certificate> lastSeen = new AtomicReference<>();
  private final Optional<Path> caFile;

  private CheckedTls(SSLSocketFactory factory) {
    this.factory = factory;
    this.caFile = Optional.empty();
  }

  /**
   * A socket factory made elsewhere ({@link ClientTls}): it works the same, but failures cannot
   * name the server's certificate.
   */
  public static CheckedTls wrapping(SSLSocketFactory factory) {
    return new CheckedTls(factory);
  }

  private CheckedTls(X509ExtendedTrustManager trust, Optional<Path> caFile) {
    this.caFile = caFile;
    try {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(null, new TrustManager[] {new Recording(trust)}, null);
      this.factory = c.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /** The JDK's trusted CAs. */
  public static CheckedTls systemTrust() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      return new CheckedTls(x509(tmf), Optional.empty());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /**
   * Trusts exactly the certificates in {@code pem}.
   *
   * @throws IOException naming the file when it cannot be read or holds no certificate
   */
  public static CheckedTls fromCaFile(Path pem) throws IOException {
    return new CheckedTls(x509(ClientTls.trustingOnly(pem)), Optional.of(pem));
  }

  private static X509ExtendedTrustManager x509(TrustManagerFactory tmf) {
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X.509 trust manager in this JVM");
  }

  /** The socket factory for Jakarta Mail. */
  public SSLSocketFactory socketFactory() {
    return factory;
  }

  /** The server certificate of the last handshake, trusted or not. */
  Optional<X509Certificate> lastServerCertificate() {
    return Optional.ofNullable(lastSeen.get());
  }

  /** The CA file trusted instead of the system's, if any. */
  Optional<Path> caFile() {
    return caFile;
  }

  /** Delegates every check, noting the server's certificate first. */
  private final class Recording extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    Recording(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    private void note(X509Certificate[] chain) {
      if (chain != null && chain.length > 0) {
        lastSeen.set(chain[0]);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      note(chain);
      delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      note(chain);
      delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      note(chain);
      delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
