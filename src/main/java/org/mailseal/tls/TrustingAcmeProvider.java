// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import java.net.http.HttpClient;
import javax.net.ssl.SSLContext;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * Any ACME server over https, trusting the given certificates for its own TLS ({@code ca-file}).
 */
final class TrustingAcmeProvider extends GenericAcmeProvider {
  private final SSLContext trust;

  TrustingAcmeProvider(SSLContext trust) {
    this.trust = trust;
  }

  @Override
  protected HttpConnector createHttpConnector(NetworkSettings settings) {
    return new HttpConnector(settings) {
      @Override
      public HttpClient.Builder createClientBuilder() {
        return super.createClientBuilder().sslContext(trust);
      }
    };
  }
}
