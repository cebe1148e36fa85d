// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.mailseal.dkim.DkimKeyRecord;

/**
 * What the store knows of one key, without its private half: where it is published, what it is, its
 * state and when each state began.
 */
public record DkimKey(
    String domain,
    Selector selector,
    KeyAlgorithm algorithm,
    int bits,
    KeyState state,
    Instant created,
    Instant activatedAt,
    Instant retiredAt,
    Instant revokedAt,
    DkimKeyRecord record) {

  private static final Pattern DOMAIN =
      Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  public DkimKey {
    domain = domainName(domain);
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(record, "record");
  }

  /**
   * {@code text} as a lower-case domain name.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static String domainName(String text) {
    String d = text.strip().toLowerCase(Locale.ROOT);
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (d.length() > 253 || !DOMAIN.matcher(d).matches()) {
      throw new IllegalArgumentException("not a domain name: " + text);
    }
    return d;
  }

  /** The DNS name of the key record: {@code selector._domainkey.domain}. */
  public String recordName() {
    return selector.value() + "._domainkey." + domain;
  }

  public Optional<Instant> activated() {
    return Optional.ofNullable(activatedAt);
  }

  public Optional<Instant> retired() {
    return Optional.ofNullable(retiredAt);
  }

  public Optional<Instant> revoked() {
    return Optional.ofNullable(revokedAt);
  }

  /** This key in state {@code to}, the change stamped {@code at}. */
  DkimKey moveTo(KeyState to, Instant at) {
    return new DkimKey(
        domain,
        selector,
        algorithm,
        bits,
        to,
        created,
        to == KeyState.ACTIVE ? at : activatedAt,
        to == KeyState.RETIRED ? at : retiredAt,
        to == KeyState.REVOKED ? at : revokedAt,
        record);
  }
}
