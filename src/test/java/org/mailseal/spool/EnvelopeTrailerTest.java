// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The envelope after the message bytes, and the stream that stops before it. */
class EnvelopeTrailerTest {
  @TempDir Path dir;

  private Optional<byte[]> trailerOf(byte[] file) throws IOException {
    Path p = dir.resolve("m");
    Files.write(p, file);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      return EnvelopeTrailer.read(ch);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void footerIsFixedSizeTextThatNamesTheJsonLength() {
    byte[] f = EnvelopeTrailer.footer(417);

    assertThat(f).hasSize(EnvelopeTrailer.FOOTER).hasSize(32);
    assertThat(new String(f, StandardCharsets.US_ASCII))
        .isEqualTo("\0mailseal-envelope/1 0000000417\n");
    assertThat(EnvelopeTrailer.length(417)).isEqualTo(417 + 32);
  }

  @Test
  void jsonAfterTheMessageIsFoundFromTheEnd() throws Exception {
    byte[] message = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] json = "{\"version\":1}".getBytes(StandardCharsets.US_ASCII);

    Optional<byte[]> read = trailerOf(concat(message, json, EnvelopeTrailer.footer(json.length)));

    assertThat(read).hasValueSatisfying(j -> assertThat(j).isEqualTo(json));
  }

  @Test
  void messageOfTheEarlierFormatHasNoTrailer() throws Exception {
    assertThat(trailerOf("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)))
        .isEmpty();
    assertThat(trailerOf(new byte[0])).isEmpty();
  }

  @Test
  void footerThatClaimsMoreJsonThanTheFileHoldsIsNoTrailer() throws Exception {
    assertThat(trailerOf(concat(new byte[] {'{', '}'}, EnvelopeTrailer.footer(3)))).isEmpty();
  }

  @Test
  void footerWithOtherThanDigitsIsNoTrailer() throws Exception {
    byte[] f = EnvelopeTrailer.footer(2);
    f[f.length - 2] = 'x';

    assertThat(trailerOf(concat(new byte[] {'{', '}'}, f))).isEmpty();
  }

  @Test
  void sizedStreamEndsAtTheMessageAndRunsItsCloseActionOnce() throws Exception {
    byte[] file = concat("hello".getBytes(StandardCharsets.US_ASCII), new byte[] {'{', '}'});
    AtomicInteger closed = new AtomicInteger();

    InputStream in = new SizedStream(new ByteArrayInputStream(file), 5, closed::incrementAndGet);

    assertThat(in.read()).isEqualTo('h');
    assertThat(in.readAllBytes()).isEqualTo("ello".getBytes(StandardCharsets.US_ASCII));
    assertThat(in.read()).isEqualTo(-1);
    in.close();
    in.close();
    assertThat(closed).hasValue(1);
  }

  @Test
  void sizedStreamOverAShorterFileFailsInsteadOfEndingEarly() {
    InputStream in = new SizedStream(new ByteArrayInputStream(new byte[] {1, 2, 3}), 5, () -> {});

    assertThatThrownBy(in::readAllBytes)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("early");
  }
}
