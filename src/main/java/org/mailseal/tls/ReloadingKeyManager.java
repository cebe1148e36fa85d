// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the TLS stack one certificate chain and key, and reloads them from their files when those
 * change (looked at no more often than {@code recheck}, when a handshake asks). A file that does
 * not load is logged and the previous material stays in use, so a half-renewed certificate never
 * takes the listeners down.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final Logger log = LoggerFactory.getLogger(ReloadingKeyManager.class);
  private static final String ALIAS = "mailseal";

  /** A chain, its key, and a stamp of the files they came from (changes when they change). */
  record Material(X509Certificate[] chain, PrivateKey key, String stamp) {}

  @FunctionalInterface
  interface Loader {
    Material load() throws GeneralSecurityException, IOException;
  }

  private final Loader loader;
  private final Clock clock;
  private final Duration recheck;
  private volatile Material current;
  private volatile Instant checkedAt = Instant.MIN;

  ReloadingKeyManager(Loader loader, Clock clock, Duration recheck) {
    this.loader = loader;
    this.clock = clock;
    this.recheck = recheck;
  }

  void loadNow() throws GeneralSecurityException {
    try {
      current = loader.load();
      checkedAt = clock.instant();
    } catch (IOException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  Material current() {
    return current;
  }

  /** Reloads when the files changed; called at the start of each handshake. */
  void refresh() {
    Instant now = clock.instant();
    if (now.isBefore(checkedAt.plus(recheck))) {
      return;
    }
    synchronized (this) {
      if (now.isBefore(checkedAt.plus(recheck))) {
        return;
      }
      checkedAt = now;
      try {
        Material next = loader.load();
        if (!next.stamp().equals(current.stamp())) {
          current = next;
          log.info(
              "tls certificate reloaded subject=\"{}\" notAfter={}",
              next.chain()[0].getSubjectX500Principal().getName(),
              next.chain()[0].getNotAfter().toInstant());
        }
      } catch (GeneralSecurityException | IOException e) {
        log.warn("tls certificate not reloaded, the previous one stays in use: {}", e.getMessage());
      }
    }
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    refresh();
    return matches(keyType) ? ALIAS : null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    refresh();
    return matches(keyType) ? ALIAS : null;
  }

  private boolean matches(String keyType) {
    String alg = current.key().getAlgorithm();
    // keyType is "RSA", "EC", "RSASSA-PSS", "EdDSA"...: offer the key for its own family.
    return keyType == null
        || keyType.equalsIgnoreCase(alg)
        || (alg.equals("RSA") && keyType.equals("RSASSA-PSS"))
        || (alg.equals("EC") && keyType.startsWith("EC"));
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return matches(keyType) ? new String[] {ALIAS} : null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? current.chain().clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? current.key() : null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
