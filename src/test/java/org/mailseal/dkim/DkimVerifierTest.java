// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.dkim.DkimSignerTest.CLOCK;
import static org.mailseal.dkim.DkimSignerTest.MESSAGE;
import static org.mailseal.dkim.DkimSignerTest.bytes;
import static org.mailseal.dkim.DkimSignerTest.text;

import java.io.ByteArrayInputStream;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DkimVerifierTest {

  @BeforeAll
  static void keys() throws Exception {
    DkimSignerTest.keys();
  }

  private static byte[] signedRsa() throws Exception {
    return DkimSignerTest.signer(
            SignOptions.builder("example.com", "s1r", DkimSignerTest.rsa).build())
        .sign(bytes(MESSAGE));
  }

  private static List<VerificationResult> verify(byte[] message, Clock clock, String... records)
      throws Exception {
    KeyResolver keys = (d, s) -> List.of(records);
    return new DkimVerifier(keys, clock).verify(new ByteArrayInputStream(message));
  }

  private static String rsaRecord() {
    return DkimKeyRecord.forPublicKey(DkimSignerTest.rsaPub).render();
  }

  @Test
  void dualSignedMessagePassesBothSignatures() throws Exception {
    byte[] signed =
        DkimSignerTest.signer(
                SignOptions.builder("example.com", "s1r", DkimSignerTest.rsa).build(),
                SignOptions.builder("example.com", "s1e", DkimSignerTest.ed).build())
            .sign(bytes(MESSAGE));
    assertThat(DkimSignerTest.verify(signed))
        .extracting(VerificationResult::result, VerificationResult::algorithm)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("pass", "rsa-sha256"),
            org.assertj.core.groups.Tuple.tuple("pass", "ed25519-sha256"));
  }

  @Test
  void changedBodyByteFailsTheBodyHash() throws Exception {
    byte[] tampered = bytes(text(signedRsa()).replace("Hello", "Hellp"));
    assertThat(verify(tampered, CLOCK, rsaRecord()))
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).isEqualTo("body hash did not verify"))
        .satisfies(r -> assertThat(r.result()).isEqualTo("fail"));
  }

  @Test
  void changedSignedHeaderFailsTheSignature() throws Exception {
    byte[] tampered = bytes(text(signedRsa()).replace("Subject: test", "Subject: t3st"));
    assertThat(verify(tampered, CLOCK, rsaRecord()))
        .singleElement()
        .extracting(VerificationResult::reason)
        .isEqualTo("signature did not verify");
  }

  @Test
  void wrongKeyFails() throws Exception {
    String other = DkimKeyRecord.forPublicKey(generateRsa(2048)).render();
    assertThat(verify(signedRsa(), CLOCK, other))
        .singleElement()
        .extracting(VerificationResult::result)
        .isEqualTo("fail");
  }

  @Test
  void revokedKeyFailsWithReason() throws Exception {
    assertThat(verify(signedRsa(), CLOCK, "v=DKIM1; k=rsa; p="))
        .singleElement()
        .extracting(VerificationResult::result, VerificationResult::reason)
        .containsExactly("fail", "key revoked");
  }

  @Test
  void missingKeyIsPermerror() throws Exception {
    assertThat(verify(signedRsa(), CLOCK))
        .singleElement()
        .extracting(VerificationResult::result, VerificationResult::reason)
        .containsExactly("permerror", "no key for signature");
  }

  @Test
  void temporaryDnsFailureIsTemperror() throws Exception {
    KeyResolver failing =
        (d, s) -> {
          throw new KeyResolverException("SERVFAIL", true, null);
        };
    assertThat(new DkimVerifier(failing, CLOCK).verify(new ByteArrayInputStream(signedRsa())))
        .singleElement()
        .extracting(VerificationResult::result)
        .isEqualTo("temperror");
  }

  @Test
  void expiredSignatureFails() throws Exception {
    byte[] signed =
        DkimSignerTest.signer(
                SignOptions.builder("example.com", "s1r", DkimSignerTest.rsa)
                    .expireAfter(Duration.ofHours(1))
                    .build())
            .sign(bytes(MESSAGE));
    Clock later = Clock.offset(CLOCK, Duration.ofHours(2));
    assertThat(verify(signed, later, rsaRecord()))
        .singleElement()
        .extracting(VerificationResult::result, VerificationResult::reason)
        .containsExactly("fail", "signature expired");
    assertThat(verify(signed, CLOCK, rsaRecord()))
        .extracting(VerificationResult::result)
        .containsOnly("pass");
  }

  @Test
  void timestampInTheFutureIsRefused() throws Exception {
    Clock earlier = Clock.offset(CLOCK, Duration.ofHours(-1));
    assertThat(verify(signedRsa(), earlier, rsaRecord()))
        .singleElement()
        .extracting(VerificationResult::reason)
        .isEqualTo("signature timestamp t= is in the future");
  }

  @Test
  void rsaSha1IsNotAccepted() throws Exception {
    String s = text(signedRsa()).replace("a=rsa-sha256", "a=rsa-sha1");
    assertThat(verify(bytes(s), CLOCK, rsaRecord()))
        .singleElement()
        .extracting(VerificationResult::result, VerificationResult::reason)
        .containsExactly("fail", "rsa-sha1 is not accepted (RFC 8301)");
  }

  @Test
  void rsaKeyUnder1024BitsIsPermerror() throws Exception {
    String small = DkimKeyRecord.forPublicKey(generateRsa(512)).render();
    assertThat(verify(signedRsa(), CLOCK, small))
        .singleElement()
        .extracting(VerificationResult::result, VerificationResult::reason)
        .containsExactly("permerror", "RSA key of 512 bits is too small (RFC 8301)");
  }

  @Test
  void keyRecordTagsAreHonoured() throws Exception {
    String p = rsaRecord().substring(rsaRecord().indexOf("p="));
    assertThat(verify(signedRsa(), CLOCK, "v=DKIM1; k=ed25519; " + p))
        .singleElement()
        .extracting(VerificationResult::reason)
        .isEqualTo("key type k=ed25519 does not match a=rsa-sha256");
    assertThat(verify(signedRsa(), CLOCK, "v=DKIM1; k=rsa; h=sha1; " + p))
        .singleElement()
        .extracting(VerificationResult::reason)
        .isEqualTo("key record h= does not allow sha256");
    assertThat(verify(signedRsa(), CLOCK, "v=DKIM1; k=rsa; s=tlsrpt; " + p))
        .singleElement()
        .extracting(VerificationResult::reason)
        .isEqualTo("key record s= does not allow email");
    assertThat(verify(signedRsa(), CLOCK, "v=DKIM1; k=rsa; s=email:*; h=sha256; " + p))
        .extracting(VerificationResult::result)
        .containsOnly("pass");
  }

  @Test
  void testingKeyTurnsFailureIntoNeutral() throws Exception {
    byte[] tampered = bytes(text(signedRsa()).replace("Hello", "Hellp"));
    String p = rsaRecord().substring(rsaRecord().indexOf("p="));
    assertThat(verify(tampered, CLOCK, "v=DKIM1; k=rsa; t=y; " + p))
        .singleElement()
        .extracting(VerificationResult::result)
        .isEqualTo("neutral");
  }

  @Test
  void bodyLengthTagLimitsWhatIsHashed() throws Exception {
    // Sign by hand with l=: our signer never writes l=, but a verifier must honour it.
    byte[] body = bytes("Hello\r\n");
    String bh = DkimSigner.bodyHash(Canonicalization.RELAXED, body);
    String unsigned =
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1r; l=7;"
            + " t=1795392000; h=from; bh="
            + bh
            + "; b=";
    String headers = "From: a@example.com\r\n";
    List<HeaderField> fields = MessageStream.parseFields(bytes(headers));
    byte[] b =
        DkimSigner.signField(
            SignatureAlgorithms.signer(Algorithm.RSA_SHA256, DkimSignerTest.rsa),
            Canonicalization.RELAXED,
            new HeaderSelection(fields),
            List.of("from"),
            unsigned);
    String field = unsigned + java.util.Base64.getEncoder().encodeToString(b) + "\r\n";
    String appended = field + headers + "\r\nHello\r\nappended by a list\r\n";
    assertThat(verify(bytes(appended), CLOCK, rsaRecord()))
        .extracting(VerificationResult::result)
        .containsOnly("pass");
    String shorter = field + headers + "\r\nHel\r\n";
    assertThat(verify(bytes(shorter), CLOCK, rsaRecord()))
        .singleElement()
        .extracting(VerificationResult::reason)
        .isEqualTo("body is shorter than l=");
  }

  @Test
  void signatureWithoutRequiredTagIsPermerror() throws Exception {
    String s = text(signedRsa()).replaceFirst("d=example.com; ", "");
    assertThat(verify(bytes(s), CLOCK, rsaRecord()))
        .singleElement()
        .extracting(VerificationResult::result, VerificationResult::reason)
        .containsExactly("permerror", "signature has no d= tag");
  }

  @Test
  void messageWithoutSignatureHasNoResults() throws Exception {
    assertThat(verify(bytes(MESSAGE), CLOCK, rsaRecord())).isEmpty();
  }

  @Test
  void bValueIsRemovedWithItsWhitespace() {
    assertThat(DkimVerifier.withoutBValue("DKIM-Signature: a=1; b=abc\r\n def ; bh=x\r\n"))
        .isEqualTo("DKIM-Signature: a=1; b=; bh=x");
    assertThat(DkimVerifier.withoutBValue("DKIM-Signature: bh=x; b=abc\r\n"))
        .isEqualTo("DKIM-Signature: bh=x; b=");
  }

  private static java.security.PublicKey generateRsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    RSAPrivateCrtKey k = (RSAPrivateCrtKey) g.generateKeyPair().getPrivate();
    return java.security.KeyFactory.getInstance("RSA")
        .generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
  }
}
