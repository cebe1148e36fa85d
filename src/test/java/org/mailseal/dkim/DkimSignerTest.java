// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailseal.keys.PemKeys;

class DkimSignerTest {
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1795392000L), ZoneOffset.UTC);
  static PrivateKey rsa;
  static PrivateKey ed;
  static PublicKey rsaPub;
  static PublicKey edPub;

  static final String MESSAGE =
      "From: Alice <alice@example.com>\r\nTo: bob@example.net\r\nSubject: test\r\n"
          + "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n"
          + "X-Mailer: not signed\r\n\r\nHello\r\n";

  @BeforeAll
  static void keys() throws Exception {
    rsa = PemKeys.readPrivateKey(Path.of("src/test/resources/keys/rsa2048-pkcs8.pem"));
    ed = PemKeys.readPrivateKey(Path.of("src/test/resources/keys/ed25519-pkcs8.pem"));
    rsaPub = PemKeys.publicKeyOf(rsa);
    edPub = PemKeys.publicKeyOf(ed);
  }

  static DkimSigner signer(SignOptions... options) {
    return new DkimSigner(List.of(options), CLOCK, 65536);
  }

  static List<VerificationResult> verify(byte[] message) throws IOException {
    KeyResolver keys =
        (d, s) -> List.of(DkimKeyRecord.forPublicKey(s.endsWith("e") ? edPub : rsaPub).render());
    return new DkimVerifier(keys, CLOCK).verify(new ByteArrayInputStream(message));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void writesTagsInTheDocumentedOrder() throws Exception {
    String signed =
        text(
            signer(
                    SignOptions.builder("example.com", "s1r", rsa)
                        .identity("alice@example.com")
                        .expireAfter(Duration.ofDays(7))
                        .build())
                .sign(bytes(MESSAGE)));
    String field = signed.substring(0, signed.indexOf("\r\nFrom:"));
    String unfolded = field.replace("\r\n ", " ");
    assertThat(unfolded)
        .startsWith(
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1r;"
                + " i=alice@example.com; t=1795392000; x=1795996800; h=");
    assertThat(unfolded).containsSubsequence(" h=", " bh=", " b=");
    assertThat(unfolded).doesNotContain(" l=");
  }

  @Test
  void foldsEveryLineWithin78Characters() throws Exception {
    String longList =
        "From:To:Cc:Subject:Date:Message-ID:Reply-To:In-Reply-To:References:MIME-Version:"
            + "Content-Type:Content-Transfer-Encoding:List-Id:List-Unsubscribe:From:Subject";
    byte[] signed =
        signer(
                SignOptions.builder("example.com", "s1r", rsa)
                    .headers(List.of(longList.split(":")))
                    .build(),
                SignOptions.builder("example.com", "s1e", ed).build())
            .sign(bytes(MESSAGE));
    String header = text(signed).substring(0, text(signed).indexOf("\r\nFrom:"));
    for (String line : header.split("\r\n")) {
      assertThat(line.length()).as(line).isLessThanOrEqualTo(78);
    }
    assertThat(verify(signed)).extracting(VerificationResult::result).containsOnly("pass");
  }

  @Test
  void defaultHeaderListSignsWhatIsPresentAndOversignsFromSubjectDateToCc() throws Exception {
    List<HeaderField> fields = MessageStream.parseFields(bytes(MESSAGE));
    assertThat(DkimSigner.defaultHeaders(new HeaderSelection(fields)))
        .containsExactly(
            "from", "from", "subject", "subject", "date", "date", "to", "to", "cc", "message-id");
  }

  /** From, Subject, Date and {@code count} To fields: 10,000 make about 175 KB. */
  static byte[] manyRecipientFields(int count) {
    StringBuilder sb =
        new StringBuilder("From: Alice <alice@example.com>\r\nSubject: many\r\n")
            .append("Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n");
    for (int i = 0; i < count; i++) {
      sb.append("To: u").append(i).append("@x.test\r\n");
    }
    return bytes(sb.append("\r\nHello\r\n").toString());
  }

  /** Bytes this thread allocates while signing {@code message}. */
  static long allocatedSigning(DkimSigner signer, byte[] message) throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    signer.sign(new ByteArrayInputStream(message), OutputStream.nullOutputStream());
    return threads.getCurrentThreadAllocatedBytes() - before;
  }

  @Test
  @Timeout(60)
  void signingManyAddressFieldsCostsMemoryInProportionToTheHeader() throws Exception {
    DkimSigner signer =
        new DkimSigner(
            List.of(SignOptions.builder("example.com", "s1e", ed).build()), CLOCK, 1 << 20);
    byte[] small = manyRecipientFields(2_000);
    byte[] large = manyRecipientFields(10_000);
    allocatedSigning(signer, small); // warm up
    long smallBytes = allocatedSigning(signer, small);
    long largeBytes = allocatedSigning(signer, large);
    // Five times the fields: about five times the bytes. Re-scanning the field list for each
    // over-signed name made it 25 times, and 2.4 GB for the large one.
    assertThat(largeBytes).as("bytes allocated for 10,000 To fields").isLessThan(16L << 20);
    assertThat(largeBytes).isLessThan(8 * smallBytes);
    assertThat(verify(signer.sign(large)))
        .extracting(VerificationResult::result)
        .containsExactly("pass");
  }

  @Test
  void addedFromHeaderBreaksOversignedSignature() throws Exception {
    byte[] signed =
        signer(
                SignOptions.builder("example.com", "s1r", rsa).build(),
                SignOptions.builder("example.com", "s1e", ed).build())
            .sign(bytes(MESSAGE));
    String s = text(signed);
    int from = s.indexOf("From: Alice");
    for (String added :
        List.of("From: Mallory <m@example.org>\r\n", "Subject: other\r\n", "Cc: eve@x.test\r\n")) {
      byte[] tampered = bytes(s.substring(0, from) + added + s.substring(from));
      assertThat(verify(tampered))
          .as(added)
          .extracting(VerificationResult::result)
          .containsOnly("fail");
    }
    // A header that is not signed may be added without harm.
    byte[] extra = bytes(s.substring(0, from) + "X-Added: fine\r\n" + s.substring(from));
    assertThat(verify(extra)).extracting(VerificationResult::result).containsOnly("pass");
  }

  @Test
  void explicitHeaderListMustIncludeFrom() {
    assertThatThrownBy(
            () ->
                SignOptions.builder("example.com", "s", rsa)
                    .headers(List.of("to", "subject"))
                    .build())
        .hasMessage("SignOptions: h= must include From");
  }

  @Test
  void refusesRsaKeysUnder1024Bits() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(512);
    PrivateKey small = g.generateKeyPair().getPrivate();
    assertThatThrownBy(() -> SignOptions.builder("example.com", "s", small).build())
        .hasMessageContaining("RSA key of 512 bits is too small");
  }

  @Test
  void refusesIdentityOutsideTheDomain() {
    assertThatThrownBy(
            () -> SignOptions.builder("example.com", "s", ed).identity("a@example.org").build())
        .hasMessageContaining("i= must be in d=");
  }

  @Test
  void bareLineEndingsAreNormalizedInTheBytesWrittenOut() throws Exception {
    String bare = "From: a@example.com\nSubject: x\r\rbody\rline\n";
    String signed =
        text(signer(SignOptions.builder("example.com", "s1e", ed).build()).sign(bytes(bare)));
    assertThat(signed.substring(signed.indexOf("From:")))
        .isEqualTo("From: a@example.com\r\nSubject: x\r\n\r\nbody\r\nline\r\n");
    assertThat(verify(bytes(signed))).extracting(VerificationResult::result).containsOnly("pass");
  }

  @Test
  void signsTheSameBodyHashWhateverTheInputLineEndings() throws Exception {
    DkimSigner s = signer(SignOptions.builder("example.com", "s1e", ed).build());
    assertThat(text(s.sign(bytes(MESSAGE.replace("\r\n", "\n")))))
        .isEqualTo(text(s.sign(bytes(MESSAGE))));
  }

  @Test
  void messageWithoutFromIsRefused() {
    DkimSigner s = signer(SignOptions.builder("example.com", "s1e", ed).build());
    assertThatThrownBy(() -> s.sign(bytes("To: b@example.net\r\n\r\nbody\r\n")))
        .isInstanceOf(DkimSignException.class)
        .hasMessage("message has no From header")
        .extracting(e -> ((DkimSignException) e).reason())
        .isEqualTo(DkimSignException.Reason.NO_FROM);
  }

  @Test
  void headerSectionOverTheBoundIsRefused() {
    DkimSigner s =
        new DkimSigner(List.of(SignOptions.builder("example.com", "s", ed).build()), CLOCK, 2048);
    String big = "From: a@example.com\r\nX-Big: " + "x".repeat(4000) + "\r\n\r\nbody\r\n";
    assertThatThrownBy(() -> s.sign(bytes(big)))
        .hasMessage("header section exceeds 2048 bytes")
        .extracting(e -> ((DkimSignException) e).reason())
        .isEqualTo(DkimSignException.Reason.HEADER_TOO_LARGE);
  }

  @Test
  void malformedHeaderLineIsRefused() {
    DkimSigner s = signer(SignOptions.builder("example.com", "s", ed).build());
    assertThatThrownBy(() -> s.sign(bytes("From: a@example.com\r\nno colon here\r\n\r\nb\r\n")))
        .hasMessage("malformed header section: line 2 is not a header field");
  }

  @Test
  void simpleCanonicalizationSignsAndVerifies() throws Exception {
    byte[] signed =
        signer(
                SignOptions.builder("example.com", "s1r", rsa)
                    .canonicalization(Canonicalization.SIMPLE, Canonicalization.SIMPLE)
                    .build())
            .sign(bytes(MESSAGE));
    assertThat(text(signed)).contains("c=simple/simple;");
    assertThat(verify(signed)).extracting(VerificationResult::result).containsOnly("pass");
    // simple is sensitive to whitespace that relaxed forgives
    byte[] respaced = bytes(text(signed).replace("Subject: test", "Subject:  test"));
    assertThat(verify(respaced)).extracting(VerificationResult::result).containsOnly("fail");
  }

  @Test
  void signsA50MegabyteMessageThroughStreams() throws Exception {
    long size = 50L * 1024 * 1024;
    byte[] head = bytes("From: a@example.com\r\nSubject: big\r\n\r\n");
    InputStream in =
        new InputStream() {
          long pos;

          @Override
          public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (pos >= size) {
              return -1;
            }
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++, pos++) {
              b[off + i] =
                  pos < head.length ? head[(int) pos] : (pos % 77 == 76 ? (byte) '\n' : (byte) 'a');
            }
            return n;
          }
        };
    long[] written = {0};
    OutputStream counting =
        new OutputStream() {
          @Override
          public void write(int b) {
            written[0]++;
          }

          @Override
          public void write(byte[] b, int off, int len) {
            written[0] += len;
          }
        };
    SignedHeaders headers =
        signer(SignOptions.builder("example.com", "s1e", ed).build()).sign(in, counting);
    assertThat(headers.fields()).hasSize(1);
    // every bare LF became CRLF on the way out
    assertThat(written[0]).isGreaterThan(size);
  }
}
