// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyEncryptionKeyTest {
  private static final byte[] BYTES = new byte[32];

  static {
    for (int i = 0; i < BYTES.length; i++) {
      BYTES[i] = (byte) i;
    }
  }

  @Test
  void base64AndHexSpellTheSameKey() throws Exception {
    KeyEncryptionKey b64 = KeyEncryptionKey.parse(Base64.getEncoder().encodeToString(BYTES) + "\n");
    KeyEncryptionKey hex = KeyEncryptionKey.parse(HexFormat.of().formatHex(BYTES));
    byte[] sealed = b64.seal(plain(), aad("r1"), new SecureRandom());
    assertThat(hex.open(sealed, aad("r1"))).isEqualTo(plain());
  }

  @Test
  void anythingButThirtyTwoBytesIsRefusedWithoutEchoingIt() {
    String short16 = Base64.getEncoder().encodeToString(new byte[16]);
    for (String bad : new String[] {short16, "not a key at all", "ab".repeat(31), ""}) {
      assertThatThrownBy(() -> KeyEncryptionKey.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "the key-encryption key must be 32 bytes in base64 or 64 hex digits (make one with:"
                  + " openssl rand -base64 32)");
    }
  }

  @Test
  void otherAssociatedDataOrAnotherKeyDoNotOpen() {
    KeyEncryptionKey k = KeyEncryptionKey.of(BYTES);
    byte[] sealed = k.seal(plain(), aad("r1"), new SecureRandom());
    assertThatThrownBy(() -> k.open(sealed, aad("r2")))
        .isInstanceOf(GeneralSecurityException.class);
    byte[] other = BYTES.clone();
    other[0] ^= 1;
    assertThatThrownBy(() -> KeyEncryptionKey.of(other).open(sealed, aad("r1")))
        .isInstanceOf(GeneralSecurityException.class);
    sealed[20] ^= 1;
    assertThatThrownBy(() -> k.open(sealed, aad("r1")))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void eachSealUsesAFreshNonce() {
    KeyEncryptionKey k = KeyEncryptionKey.of(BYTES);
    SecureRandom r = new SecureRandom();
    assertThat(k.seal(plain(), aad("r1"), r)).isNotEqualTo(k.seal(plain(), aad("r1"), r));
  }

  @Test
  void toStringHidesTheKey() {
    assertThat(KeyEncryptionKey.of(BYTES).toString()).isEqualTo("KeyEncryptionKey(****)");
  }

  private static byte[] plain() {
    return "a private key".getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] aad(String selector) {
    return ("example.com " + selector).getBytes(StandardCharsets.US_ASCII);
  }
}
