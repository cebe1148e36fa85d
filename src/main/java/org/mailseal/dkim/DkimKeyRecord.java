// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A DKIM key record, the TXT value published at {@code selector._domainkey.domain} (RFC 6376
 * §3.6.1; Ed25519 per RFC 8463 §4). Renders what we publish and parses what we find, so that a DNS
 * check compares key bytes, not text.
 *
 * @param keyType {@code k=}: {@code rsa} or {@code ed25519}
 * @param hashAlgorithms {@code h=}: acceptable hash algorithms; empty means all
 * @param serviceTypes {@code s=}: service types; {@code *} (all) when absent
 * @param flags {@code t=}: flags such as {@code y} (testing) and {@code s} (strict i= domain)
 * @param publicKey {@code p=}: the key bytes (DER SubjectPublicKeyInfo for RSA, the raw 32-byte key
 *     for Ed25519); empty when the key is revoked
 */
public record DkimKeyRecord(
    String keyType,
    List<String> hashAlgorithms,
    List<String> serviceTypes,
    List<String> flags,
    byte[] publicKey) {

  /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), before the 32 raw key bytes. */
  private static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  public DkimKeyRecord {
    Objects.requireNonNull(keyType, "keyType");
    hashAlgorithms = List.copyOf(hashAlgorithms);
    serviceTypes = List.copyOf(serviceTypes);
    flags = List.copyOf(flags);
    publicKey = publicKey.clone();
  }

  /** The record that publishes {@code key} (an RSA or Ed25519 public key). */
  public static DkimKeyRecord forPublicKey(PublicKey key) {
    if (key instanceof RSAPublicKey) {
      return new DkimKeyRecord("rsa", List.of(), List.of(), List.of(), key.getEncoded());
    }
    if (isEd25519(key)) {
      byte[] spki = key.getEncoded();
      if (spki.length != ED25519_SPKI_PREFIX.length + 32
          || !Arrays.equals(
              spki,
              0,
              ED25519_SPKI_PREFIX.length,
              ED25519_SPKI_PREFIX,
              0,
              ED25519_SPKI_PREFIX.length)) {
        throw new IllegalArgumentException("unexpected Ed25519 public key encoding");
      }
      return new DkimKeyRecord(
          "ed25519",
          List.of(),
          List.of(),
          List.of(),
          Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX.length, spki.length));
    }
    throw new IllegalArgumentException("unsupported key algorithm: " + key.getAlgorithm());
  }

  /** The record that revokes a key of {@code keyType}: same tags, empty {@code p=}. */
  public static DkimKeyRecord revoked(String keyType) {
    return new DkimKeyRecord(keyType, List.of(), List.of(), List.of(), new byte[0]);
  }

  /**
   * Parses a TXT value (its strings already concatenated).
   *
   * @throws IllegalArgumentException with a reason fit for a {@code permerror} when the record is
   *     not a valid DKIM key record
   */
  public static DkimKeyRecord parse(String text) {
    TagList tags = TagList.parse(text);
    String v = tags.get("v");
    if (v != null) {
      // RFC 6376 §3.6.1: if present, v= must be the first tag and equal to "DKIM1".
      if (!"v".equals(tags.asMap().keySet().iterator().next()) || !"DKIM1".equals(v)) {
        throw new IllegalArgumentException("key record has a bad v= tag");
      }
    }
    String p = tags.get("p");
    if (p == null) {
      throw new IllegalArgumentException("key record has no p= tag");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(TagList.withoutWhitespace(p));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key record p= is not valid base64", e);
    }
    String k = tags.has("k") ? tags.get("k").strip() : "rsa";
    return new DkimKeyRecord(
        k, colonList(tags.get("h")), colonList(tags.get("s")), colonList(tags.get("t")), key);
  }

  /** Whether {@code p=} is empty: the key has been revoked (RFC 6376 §3.6.1). */
  public boolean isRevoked() {
    return publicKey.length == 0;
  }

  /** The key bytes as published in {@code p=}. */
  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * The public key as a JCA key.
   *
   * @throws GeneralSecurityException when the bytes are not a key of {@link #keyType()}
   */
  public PublicKey toPublicKey() throws GeneralSecurityException {
    if (isRevoked()) {
      throw new GeneralSecurityException("key is revoked (empty p=)");
    }
    switch (keyType) {
      case "rsa":
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(publicKey));
      case "ed25519":
        if (publicKey.length != 32) {
          throw new GeneralSecurityException(
              "ed25519 key must be 32 bytes, found " + publicKey.length);
        }
        byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
        System.arraycopy(publicKey, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
      default:
        throw new GeneralSecurityException("unknown key type k=" + keyType);
    }
  }

  /** Whether the record allows the service type {@code email} (absent {@code s=} allows all). */
  public boolean allowsEmail() {
    return serviceTypes.isEmpty() || serviceTypes.contains("*") || serviceTypes.contains("email");
  }

  /** Whether the record allows hash {@code alg} (absent {@code h=} allows all). */
  public boolean allowsHash(String alg) {
    return hashAlgorithms.isEmpty() || hashAlgorithms.contains(alg);
  }

  /** Whether {@code t=y} marks the domain as testing DKIM. */
  public boolean isTesting() {
    return flags.contains("y");
  }

  /** Whether {@code t=s} forbids an {@code i=} in a subdomain of {@code d=}. */
  public boolean isStrict() {
    return flags.contains("s");
  }

  /**
   * The TXT value as we publish it: {@code v=DKIM1; k=…; [h=…; s=…; t=…;] p=…}, in that order, so
   * that the rendering of equal records is equal text.
   */
  public String render() {
    StringBuilder sb = new StringBuilder("v=DKIM1; k=").append(keyType);
    if (!hashAlgorithms.isEmpty()) {
      sb.append("; h=").append(String.join(":", hashAlgorithms));
    }
    if (!serviceTypes.isEmpty()) {
      sb.append("; s=").append(String.join(":", serviceTypes));
    }
    if (!flags.isEmpty()) {
      sb.append("; t=").append(String.join(":", flags));
    }
    sb.append("; p=").append(Base64.getEncoder().encodeToString(publicKey));
    return sb.toString();
  }

  /** Two records publish the same key: equal key type and equal key bytes. */
  public boolean sameKeyAs(DkimKeyRecord other) {
    return keyType.equalsIgnoreCase(other.keyType) && Arrays.equals(publicKey, other.publicKey);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DkimKeyRecord r
        && keyType.equals(r.keyType)
        && hashAlgorithms.equals(r.hashAlgorithms)
        && serviceTypes.equals(r.serviceTypes)
        && flags.equals(r.flags)
        && Arrays.equals(publicKey, r.publicKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyType, hashAlgorithms, serviceTypes, flags, Arrays.hashCode(publicKey));
  }

  @Override
  public String toString() {
    return render();
  }

  private static boolean isEd25519(PublicKey key) {
    String alg = key.getAlgorithm();
    return "Ed25519".equalsIgnoreCase(alg) || "EdDSA".equalsIgnoreCase(alg);
  }

  private static List<String> colonList(String value) {
    if (value == null) {
      return List.of();
    }
    return Arrays.stream(value.split(":")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
