// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that encrypts private keys in a database ({@link PgKeyStore}): 32 bytes for AES-256-GCM,
 * the same on every node. A sealed value is {@code 0x01 || nonce (12 bytes) || ciphertext || tag
 * (16 bytes)}; the caller's associated data (the key's domain and selector) binds it to its row, so
 * a ciphertext moved to another row does not decrypt. Never shown by {@link #toString()}.
 */
public final class KeyEncryptionKey {
  /** The length of the key: AES-256. */
  public static final int BYTES = 32;

  private static final byte VERSION = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private final byte[] key;

  private KeyEncryptionKey(byte[] key) {
    this.key = key.clone();
  }

  /**
   * The key written as {@code text}: 32 bytes in base64 (as {@code openssl rand -base64 32} prints)
   * or in hex (64 digits).
   *
   * @throws IllegalArgumentException saying what is expected, never repeating {@code text}
   */
  public static KeyEncryptionKey parse(String text) {
    String t = text.strip();
    if (HEX.matcher(t).matches()) {
      return new KeyEncryptionKey(HexFormat.of().parseHex(t));
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(t);
    } catch (IllegalArgumentException e) {
      bytes = new byte[0];
    }
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException(
          "the key-encryption key must be 32 bytes in base64 or 64 hex digits"
              + " (make one with: openssl rand -base64 32)");
    }
    return new KeyEncryptionKey(bytes);
  }

  /** The key of exactly {@link #BYTES} bytes. */
  public static KeyEncryptionKey of(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("the key-encryption key must be 32 bytes");
    }
    return new KeyEncryptionKey(bytes);
  }

  /** {@code plaintext} encrypted and authenticated together with {@code associated}. */
  byte[] seal(byte[] plaintext, byte[] associated, SecureRandom random) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = cipher(Cipher.ENCRYPT_MODE, nonce);
      c.updateAAD(associated);
      byte[] sealed = c.doFinal(plaintext);
      byte[] out = new byte[1 + NONCE_BYTES + sealed.length];
      out[0] = VERSION;
      System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, 1 + NONCE_BYTES, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK cannot do AES-256-GCM", e);
    }
  }

  /**
   * The plaintext of {@code sealed}.
   *
   * @throws GeneralSecurityException when this is not the key it was sealed with, the associated
   *     data differs, or the value was altered
   */
  byte[] open(byte[] sealed, byte[] associated) throws GeneralSecurityException {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != VERSION) {
      throw new GeneralSecurityException("not a sealed value of version " + VERSION);
    }
    Cipher c = cipher(Cipher.DECRYPT_MODE, Arrays.copyOfRange(sealed, 1, 1 + NONCE_BYTES));
    c.updateAAD(associated);
    return c.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
  }

  private Cipher cipher(int mode, byte[] nonce) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
    return c;
  }

  @Override
  public String toString() {
    return "KeyEncryptionKey(****)";
  }
}
