// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One TLS handshake against a {@link ServerTls}, for tests that ask which certificate it serves.
 */
final class Handshake {
  private Handshake() {}

  /**
   * Accepts one connection on the implicit-TLS socket, completes its handshake and sends a byte the
   * server side reads. The client side closes before the test waits for the server side: a TLS 1.2
   * socket's close waits for the peer's close_notify, so the server side closing first would sit
   * out its read timeout.
   */
  static X509Certificate served(
      ServerTls tls, ExecutorService pool, SecureRandom random, String... protocols)
      throws Exception {
    try (ServerSocket server = tls.serverSocket()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      Future<Integer> accept =
          pool.submit(
              () -> {
                try (Socket s = server.accept()) {
                  s.setSoTimeout(10_000);
                  ((SSLSocket) s).startHandshake();
                  return s.getInputStream().read();
                }
              });
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new TrustAll()}, random);
      X509Certificate cert;
      try (SSLSocket c = (SSLSocket) ctx.getSocketFactory().createSocket()) {
        c.connect(server.getLocalSocketAddress(), 5000);
        c.setSoTimeout(10_000);
        if (protocols.length > 0) {
          c.setEnabledProtocols(protocols);
        }
        c.startHandshake();
        cert = (X509Certificate) c.getSession().getPeerCertificates()[0];
        c.getOutputStream().write('.');
        c.getOutputStream().flush();
      }
      assertThat(accept.get(10, TimeUnit.SECONDS)).as("the byte the server read").isEqualTo('.');
      return cert;
    }
  }

  /** The tests check which certificate is served, not whether it is trusted. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
