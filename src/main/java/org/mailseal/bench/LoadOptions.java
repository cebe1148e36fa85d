// SPDX-License-Identifier: Apache-2.0
package org.mailseal.bench;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;

/**
 * What one load run does.
 *
 * @param host the server's address
 * @param port the server's port
 * @param tls how TLS is started; {@code tlsFactory} must be present unless {@link TlsMode#NONE}
 * @param tlsFactory makes the TLS sockets (it decides which certificates are trusted)
 * @param username AUTH PLAIN identity; empty sends no AUTH
 * @param password AUTH PLAIN password, used with {@code username}
 * @param from envelope and header From
 * @param recipient envelope and header To
 * @param connections how many connections send at once
 * @param messages how many messages to send in all (the run stops after this many)
 * @param messageBytes approximate size of each message, headers included
 * @param duration the run also stops when this has passed, if present
 * @param helo the name sent in EHLO
 */
public record LoadOptions(
    String host,
    int port,
    TlsMode tls,
    Optional<SSLSocketFactory> tlsFactory,
    Optional<String> username,
    String password,
    String from,
    String recipient,
    int connections,
    long messages,
    int messageBytes,
    Optional<Duration> duration,
    String helo) {

  /** How a connection gets TLS. */
  public enum TlsMode {
    /** Plain connection, EHLO, STARTTLS, EHLO again. */
    STARTTLS,
    /** TLS from the first byte (port 465 style). */
    IMPLICIT,
    /** No TLS at all. */
    NONE
  }

  public LoadOptions {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(tlsFactory, "tlsFactory");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(duration, "duration");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("LoadOptions: port must be 1-65535");
    }
    if (tls != TlsMode.NONE && tlsFactory.isEmpty()) {
      throw new IllegalArgumentException("LoadOptions: tls " + tls + " needs a tlsFactory");
    }
    if (connections < 1) {
      throw new IllegalArgumentException("LoadOptions: connections must be at least 1");
    }
    if (messages < 1) {
      throw new IllegalArgumentException("LoadOptions: messages must be at least 1");
    }
    if (messageBytes < 256) {
      throw new IllegalArgumentException("LoadOptions: messageBytes must be at least 256");
    }
    if (duration.isPresent() && (duration.get().isNegative() || duration.get().isZero())) {
      throw new IllegalArgumentException("LoadOptions: duration must be positive");
    }
    if (!from.contains("@") || !recipient.contains("@")) {
      throw new IllegalArgumentException("LoadOptions: from and recipient must be addresses");
    }
  }
}
