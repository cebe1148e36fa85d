// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The raw signature operations. RSA ({@code SHA256withRSA}, RSASSA-PKCS1-v1_5) through the Amazon
 * Corretto Crypto Provider (AWS-LC, native) where its library loads, about 1.7 times the JDK's rate
 * on this kind of machine, else through the JDK; {@code -Dmailseal.native-rsa=false} forces the
 * JDK. Both give the same bytes (PKCS#1 v1.5 is deterministic), which the known-answer tests check.
 * Ed25519 through Bouncy Castle's lightweight API, which signs about ten times faster than the JDK
 * 17 provider. ed25519-sha256 signs the SHA-256 of the header data with pure Ed25519 (RFC 8463 §3).
 */
final class SignatureAlgorithms {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(SignatureAlgorithms.class);

  /** Where SHA256withRSA comes from: the native provider, or null for the JDK's. */
  private static final java.security.Provider RSA_PROVIDER = rsaProvider();

  static {
    Ed25519.precompute();
  }

  private static java.security.Provider rsaProvider() {
    if (!Boolean.parseBoolean(System.getProperty("mailseal.native-rsa", "true"))) {
      log.debug("dkim rsa-sha256 signs with the JDK (mailseal.native-rsa=false)");
      return null;
    }
    try {
      java.security.Provider p =
          com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
      com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
      Signature.getInstance("SHA256withRSA", p);
      log.debug("dkim rsa-sha256 signs with {} {} (native)", p.getName(), p.getVersionStr());
      return p;
    } catch (Throwable e) { // NOPMD: a native library failing to load is an Error, not fatal
      log.info(
          "dkim rsa-sha256 signs with the JDK (native provider unavailable: {})", e.toString());
      return null;
    }
  }

  /** The name of the provider that signs RSA, for logs and benchmarks. */
  static String rsaProviderName() {
    return RSA_PROVIDER == null ? "JDK" : RSA_PROVIDER.getName();
  }

  private SignatureAlgorithms() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }

  /** A prepared signer for one key; reusable, not thread-safe. */
  interface Signer {
    byte[] sign(byte[] headerData) throws GeneralSecurityException;
  }

  static Signer signer(Algorithm algorithm, PrivateKey key) {
    if (algorithm == Algorithm.ED25519_SHA256) {
      Ed25519PrivateKeyParameters params = new Ed25519PrivateKeyParameters(ed25519Seed(key), 0);
      params.generatePublicKey(); // computed once, cached by the parameters
      // One signer and one digest per Signer: a Signer serves one thread (DkimSigner keeps one
      // per thread), and both reset themselves after each use.
      Ed25519Signer ed = new Ed25519Signer();
      ed.init(true, params);
      MessageDigest sha256 = sha256();
      return data -> {
        byte[] hash = sha256.digest(data);
        ed.update(hash, 0, hash.length);
        return ed.generateSignature();
      };
    }
    Signature rsa;
    try {
      rsa =
          RSA_PROVIDER == null
              ? Signature.getInstance("SHA256withRSA")
              : Signature.getInstance("SHA256withRSA", RSA_PROVIDER);
      rsa.initSign(key);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("RSA key not usable for signing", e);
    }
    return data -> {
      rsa.update(data);
      return rsa.sign(); // sign() resets the object for the next message
    };
  }

  /** The 32-byte seed of an Ed25519 private key (RFC 8032 §5.1.5). */
  static byte[] ed25519Seed(PrivateKey key) {
    if (key instanceof EdECPrivateKey ed) {
      return ed.getBytes()
          .orElseThrow(() -> new IllegalArgumentException("Ed25519 key without seed bytes"));
    }
    try {
      return ASN1OctetString.getInstance(
              PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey())
          .getOctets();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("malformed Ed25519 private key", e);
    }
  }

  /** Verifies an rsa-sha256 signature with a JCA key. */
  static boolean verifyRsa(PublicKey key, byte[] data, byte[] signature)
      throws GeneralSecurityException {
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initVerify(key);
    s.update(data);
    return s.verify(signature);
  }

  /** Verifies an ed25519-sha256 signature with the raw 32-byte public key. */
  static boolean verifyEd25519(byte[] rawPublicKey, byte[] data, byte[] signature) {
    Ed25519PublicKeyParameters pub = new Ed25519PublicKeyParameters(rawPublicKey, 0);
    Ed25519Signer s = new Ed25519Signer();
    s.init(false, pub);
    byte[] hash = sha256().digest(data);
    s.update(hash, 0, hash.length);
    return s.verifySignature(signature);
  }
}
