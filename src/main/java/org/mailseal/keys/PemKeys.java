// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Reads and writes private keys as PEM with Bouncy Castle: PKCS#8 (RSA and Ed25519, as {@code
 * openssl genpkey} writes them) and PKCS#1 (RSA only, as {@code opendkim-genkey} writes it). Keys
 * come back as JDK key objects (RSA, Ed25519), so the signer does not care which format a key came
 * from. Errors name the source, never key bytes.
 */
public final class PemKeys {
  private static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private PemKeys() {}

  /** Reads the private key in {@code file}. */
  public static PrivateKey readPrivateKey(Path file) throws KeyFormatException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new KeyFormatException(file + ": cannot read key file (" + reason(e) + ")", e);
    } catch (RuntimeException e) {
      throw new KeyFormatException(file + ": key file is not PEM text", e);
    }
    return parsePrivateKey(text, file.toString());
  }

  /**
   * Parses the first private key in PEM {@code text}; {@code source} names it in errors.
   *
   * @throws KeyFormatException when there is no PEM block, an unsupported or encrypted key, or
   *     malformed key data
   */
  public static PrivateKey parsePrivateKey(String text, String source) throws KeyFormatException {
    Object object;
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      object = parser.readObject();
    } catch (PEMException e) {
      throw new KeyFormatException(source + ": malformed PEM key", e);
    } catch (IOException | RuntimeException e) {
      throw new KeyFormatException(source + ": malformed PEM key", e);
    }
    if (object == null) {
      throw new KeyFormatException(source + ": no PEM private key found");
    }
    PrivateKeyInfo info;
    if (object instanceof PEMKeyPair pair) {
      info = pair.getPrivateKeyInfo(); // PKCS#1 (RSA)
    } else if (object instanceof PrivateKeyInfo pki) {
      info = pki; // PKCS#8
    } else {
      throw new KeyFormatException(
          source + ": not an unencrypted private key (found " + describe(object) + ")");
    }
    return toJdkKey(info, source);
  }

  /** The private key in PKCS#8 DER {@code der}; {@code source} names it in errors. */
  static PrivateKey fromPkcs8Der(byte[] der, String source) throws KeyFormatException {
    PrivateKeyInfo info;
    try {
      info = PrivateKeyInfo.getInstance(der);
    } catch (RuntimeException e) {
      throw new KeyFormatException(source + ": malformed PKCS#8 key", e);
    }
    return toJdkKey(info, source);
  }

  /** The public half of an RSA (CRT) or Ed25519 private key. */
  public static PublicKey publicKeyOf(PrivateKey key) {
    try {
      if (key instanceof RSAPrivateCrtKey rsa) {
        return KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      }
      byte[] seed = ed25519Seed(key);
      byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
      byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
      System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks RSA or Ed25519 key factories", e);
    }
  }

  /**
   * The 32-byte seed of an Ed25519 private key (RFC 8032 §5.1.5), as Bouncy Castle's Ed25519 needs
   * it.
   *
   * @throws IllegalArgumentException when {@code key} is not an Ed25519 key
   */
  public static byte[] ed25519Seed(PrivateKey key) {
    if (key instanceof EdECPrivateKey ed) {
      return ed.getBytes()
          .orElseThrow(() -> new IllegalArgumentException("Ed25519 key has no seed bytes"));
    }
    if ("Ed25519".equalsIgnoreCase(key.getAlgorithm())
        || "EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
      try {
        return org.bouncycastle.asn1.ASN1OctetString.getInstance(info.parsePrivateKey())
            .getOctets();
      } catch (IOException e) {
        throw new IllegalArgumentException("malformed Ed25519 private key", e);
      }
    }
    throw new IllegalArgumentException("not an Ed25519 key: " + key.getAlgorithm());
  }

  /** {@code key} as unencrypted PKCS#8 PEM; Bouncy Castle's generator names the PEM type. */
  public static String toPkcs8Pem(PrivateKey key) {
    try {
      return pem(new JcaPKCS8Generator(key, null).generate());
    } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
      throw new IllegalStateException("PKCS#8 encoding of a " + key.getAlgorithm() + " key", e);
    }
  }

  /** {@code key} as an X.509 SubjectPublicKeyInfo PEM (the "PUBLIC KEY" type). */
  public static String toPublicPem(PublicKey key) {
    return pem(new PemObject("PUBLIC KEY", key.getEncoded()));
  }

  private static String pem(PemObject object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new IllegalStateException("writing PEM to memory failed", e);
    }
    return out.toString();
  }

  private static PrivateKey toJdkKey(PrivateKeyInfo info, String source) throws KeyFormatException {
    String oid = info.getPrivateKeyAlgorithm().getAlgorithm().getId();
    String algorithm;
    switch (oid) {
      case "1.2.840.113549.1.1.1":
        algorithm = "RSA";
        break;
      case "1.3.101.112":
        algorithm = "Ed25519";
        break;
      default:
        throw new KeyFormatException(
            source + ": unsupported key algorithm (OID " + oid + "); DKIM uses RSA or Ed25519");
    }
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (IOException | GeneralSecurityException e) {
      throw new KeyFormatException(source + ": malformed " + algorithm + " private key", e);
    }
  }

  private static String describe(Object object) {
    String name = object.getClass().getSimpleName();
    return name.contains("Encrypted") ? "an encrypted key; decrypt it first" : name;
  }

  private static String reason(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException
        ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException
            ? "permission denied"
            : e.getClass().getSimpleName();
  }
}
