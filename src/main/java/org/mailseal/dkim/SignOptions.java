// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.security.PrivateKey;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one DKIM signature is made with: domain ({@code d=}), selector ({@code s=}), key (which
 * decides {@code a=}), canonicalization ({@code c=}), the signed header names ({@code h=}) and the
 * optional {@code i=} and {@code x=}. Immutable; every field is checked by {@link Builder#build()},
 * whose errors name the field.
 */
public final class SignOptions {
  /** The RSA modulus below which keys are refused (RFC 8301 §3.2). */
  public static final int MIN_RSA_BITS = 1024;

  /**
   * Header fields signed by default, in this order, when present. From, Subject, Date, To and Cc
   * are also over-signed (see {@link #OVERSIGNED}).
   */
  public static final List<String> DEFAULT_HEADERS =
      List.of(
          "From",
          "Reply-To",
          "Subject",
          "Date",
          "To",
          "Cc",
          "Message-ID",
          "In-Reply-To",
          "References",
          "MIME-Version",
          "Content-Type",
          "Content-Transfer-Encoding",
          "Content-ID",
          "Content-Description",
          "Sender",
          "List-Id",
          "List-Help",
          "List-Unsubscribe",
          "List-Unsubscribe-Post",
          "List-Subscribe",
          "List-Post",
          "List-Owner",
          "List-Archive");

  /**
   * Header fields named once more than they occur, so that a field of that name added in transit
   * breaks the signature (RFC 6376 §8.15).
   */
  public static final List<String> OVERSIGNED = List.of("From", "Subject", "Date", "To", "Cc");

  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?i)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");

  private final String domain;
  private final String selector;
  private final PrivateKey key;
  private final Algorithm algorithm;
  private final Canonicalization headerCanonicalization;
  private final Canonicalization bodyCanonicalization;
  private final List<String> headers;
  private final String identity;
  private final Duration expireAfter;

  private SignOptions(Builder b, Algorithm algorithm) {
    this.domain = b.domain.toLowerCase(Locale.ROOT);
    this.selector = b.selector.toLowerCase(Locale.ROOT);
    this.key = b.key;
    this.algorithm = algorithm;
    this.headerCanonicalization = b.headerCanonicalization;
    this.bodyCanonicalization = b.bodyCanonicalization;
    this.headers = b.headers == null ? null : List.copyOf(b.headers);
    this.identity = b.identity;
    this.expireAfter = b.expireAfter;
  }

  /** Starts options for a signature of {@code domain} with {@code key} under {@code selector}. */
  public static Builder builder(String domain, String selector, PrivateKey key) {
    return new Builder(domain, selector, key);
  }

  public String domain() {
    return domain;
  }

  public String selector() {
    return selector;
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  public Canonicalization headerCanonicalization() {
    return headerCanonicalization;
  }

  public Canonicalization bodyCanonicalization() {
    return bodyCanonicalization;
  }

  /** Whether an explicit {@code h=} list was given (otherwise it is computed per message). */
  public boolean hasExplicitHeaders() {
    return headers != null;
  }

  PrivateKey key() {
    return key;
  }

  /** The explicit {@code h=} list, or {@code null} for the default; package use only. */
  List<String> explicitHeaders() {
    return headers;
  }

  /** The {@code i=} value, or {@code null}; package use only. */
  String identity() {
    return identity;
  }

  /** The {@code x=} offset, or {@code null}; package use only. */
  Duration expireAfter() {
    return expireAfter;
  }

  @Override
  public String toString() {
    // Never the key.
    return "SignOptions[d="
        + domain
        + ", s="
        + selector
        + ", a="
        + algorithm.tag()
        + ", c="
        + headerCanonicalization.tag()
        + "/"
        + bodyCanonicalization.tag()
        + "]";
  }

  /** Builds {@link SignOptions}; {@link #build()} checks every field. */
  public static final class Builder {
    private final String domain;
    private final String selector;
    private final PrivateKey key;
    private Canonicalization headerCanonicalization = Canonicalization.RELAXED;
    private Canonicalization bodyCanonicalization = Canonicalization.RELAXED;
    private List<String> headers;
    private String identity;
    private Duration expireAfter;

    private Builder(String domain, String selector, PrivateKey key) {
      this.domain = domain;
      this.selector = selector;
      this.key = key;
    }

    /** {@code c=}; relaxed/relaxed unless set. */
    public Builder canonicalization(Canonicalization header, Canonicalization body) {
      this.headerCanonicalization = Objects.requireNonNull(header, "header");
      this.bodyCanonicalization = Objects.requireNonNull(body, "body");
      return this;
    }

    /**
     * The exact {@code h=} list, in order; a name given more times than the message has such fields
     * signs their absence (over-signing).
     */
    public Builder headers(List<String> names) {
      this.headers = new ArrayList<>(names);
      return this;
    }

    /** {@code i=}: the agent or user identifier; its domain must be {@code d=} or below it. */
    public Builder identity(String identity) {
      this.identity = identity;
      return this;
    }

    /** {@code x=} is set to {@code t=} plus this duration. */
    public Builder expireAfter(Duration expireAfter) {
      this.expireAfter = expireAfter;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the field that is wrong
     */
    public SignOptions build() {
      if (domain == null || !DOMAIN.matcher(domain).matches() || domain.length() > 253) {
        throw new IllegalArgumentException("SignOptions: d= is not a domain name: " + domain);
      }
      if (selector == null || !DOMAIN.matcher(selector).matches()) {
        throw new IllegalArgumentException(
            "SignOptions: s= is not a valid selector (DNS labels): " + selector);
      }
      Objects.requireNonNull(key, "SignOptions: key");
      Algorithm algorithm;
      if (key instanceof RSAKey rsa) {
        int bits = rsa.getModulus().bitLength();
        if (bits < MIN_RSA_BITS) {
          throw new IllegalArgumentException(
              "SignOptions: RSA key of "
                  + bits
                  + " bits is too small (minimum "
                  + MIN_RSA_BITS
                  + ")");
        }
        algorithm = Algorithm.RSA_SHA256;
      } else if ("Ed25519".equalsIgnoreCase(key.getAlgorithm())
          || "EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
        algorithm = Algorithm.ED25519_SHA256;
      } else {
        throw new IllegalArgumentException(
            "SignOptions: unsupported key algorithm " + key.getAlgorithm() + " (RSA or Ed25519)");
      }
      if (headers != null) {
        if (headers.stream().noneMatch(h -> h.strip().equalsIgnoreCase("From"))) {
          throw new IllegalArgumentException("SignOptions: h= must include From");
        }
        for (String h : headers) {
          if (h.isBlank() || h.strip().chars().anyMatch(c -> c <= 32 || c >= 127 || c == ':')) {
            throw new IllegalArgumentException("SignOptions: h= has an invalid header name: " + h);
          }
        }
      }
      if (identity != null) {
        int at = identity.lastIndexOf('@');
        String idDomain = at < 0 ? "" : identity.substring(at + 1).toLowerCase(Locale.ROOT);
        String d = domain.toLowerCase(Locale.ROOT);
        if (at < 0 || !(idDomain.equals(d) || idDomain.endsWith("." + d))) {
          throw new IllegalArgumentException(
              "SignOptions: i= must be in d= or a subdomain of it: " + identity);
        }
        if (identity.chars().anyMatch(c -> c <= 32 || c >= 127 || c == ';')) {
          throw new IllegalArgumentException("SignOptions: i= has invalid characters");
        }
      }
      if (expireAfter != null && (expireAfter.isNegative() || expireAfter.getSeconds() < 1)) {
        throw new IllegalArgumentException("SignOptions: x= offset must be at least one second");
      }
      return new SignOptions(this, algorithm);
    }
  }
}
