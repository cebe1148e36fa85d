// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.subethamail.smtp.internal.io.DotTerminatedInputStream;
import org.subethamail.smtp.internal.io.DotUnstuffingInputStream;

/** The DATA reader: unstuffing, the terminator, and nothing read past it. */
class DotDataTest {
  private static final String NEXT = "MAIL FROM:<a@example.com>\r\n";

  @Test
  void removesTheStuffedDotAndStopsAtTheLoneDotLeavingTheNextCommandUnread() throws IOException {
    BufferedInputStream session = session("Subject: x\r\n\r\n..leading dot\r\n.\r\n" + NEXT, 8192);
    assertThat(readAll(new DotData(session, 8192), 4096))
        .isEqualTo("Subject: x\r\n\r\n.leading dot\r\n");
    assertThat(new String(session.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(NEXT);
  }

  @Test
  void theDotOpeningTheFirstLineIsStuffingToo() throws IOException {
    assertThat(readAll(new DotData(session("..x\r\n.\r\n", 8192), 8192), 64)).isEqualTo(".x\r\n");
  }

  @Test
  void anEmptyMessageIsTheTerminatorAlone() throws IOException {
    BufferedInputStream session = session(".\r\n" + NEXT, 8192);
    assertThat(new DotData(session, 8192).read(new byte[16], 0, 16)).isEqualTo(-1);
    assertThat(new String(session.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(NEXT);
  }

  @Test
  void aDotLineThatIsNotCrlfTerminatedIsDataAndABareLfStartsNoLine() throws IOException {
    String message = ".\rX\r\na\n.\r\nb\r\n";
    assertThat(readAll(new DotData(session(message + ".\r\n", 8192), 8192), 1))
        .isEqualTo("\rX\r\na\n.\r\nb\r\n");
  }

  @Test
  void theConnectionEndingBeforeTheTerminatorIsAnError() {
    DotData data = new DotData(session("Subject: x\r\n\r\nhalf a mess", 8192), 8192);
    assertThatThrownBy(() -> readAll(data, 4096)).isInstanceOf(EOFException.class);
  }

  @Test
  void drainReadsToTheTerminatorAndNoFurther() throws IOException {
    BufferedInputStream session = session("a\r\nb\r\n.\r\n" + NEXT, 8192);
    DotData data = new DotData(session, 8192);
    assertThat(data.read()).isEqualTo('a');
    data.drain();
    assertThat(data.read()).isEqualTo(-1);
    assertThat(new String(session.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(NEXT);
  }

  /**
   * Random messages built from the bytes that matter (CR, LF, dots, letters) and random buffer,
   * block and read sizes, so the terminator and ".CR" fall across every kind of boundary: each is
   * read exactly as SubEthaSMTP's own DotTerminated and DotUnstuffing streams read it, and what
   * follows the terminator is left in the session's buffer.
   */
  @Test
  void readsExactlyWhatSubEthaSmtpsStreamsReadAcrossEveryBoundary() throws IOException {
    Random random = new Random(20261202L);
    byte[] alphabet = {'\r', '\n', '.', 'a', 'b'};
    for (int i = 0; i < 3000; i++) {
      int length = random.nextInt(200);
      StringBuilder m = new StringBuilder();
      for (int j = 0; j < length; j++) {
        m.append((char) alphabet[random.nextInt(alphabet.length)]);
      }
      String wire = m + "\r\n.\r\n" + NEXT;
      // SubEthaSMTP's unstuffing misses a dot opening the first line (RFC 5321 4.5.2 removes it
      // there too): the reference reads the message after a CRLF, which it then drops.
      ByteArrayInputStream wireIn =
          new ByteArrayInputStream(("\r\n" + wire).getBytes(StandardCharsets.ISO_8859_1));
      byte[] withCrlf = reference(wireIn);
      byte[] expected = java.util.Arrays.copyOfRange(withCrlf, 2, withCrlf.length);
      String expectedRest = new String(wireIn.readAllBytes(), StandardCharsets.ISO_8859_1);
      int buffer = 1 + random.nextInt(40);
      int block = 1 + random.nextInt(40);
      int chunk = 1 + random.nextInt(17);
      BufferedInputStream session = session(wire, buffer);
      byte[] actual =
          readAll(new DotData(session, block), chunk).getBytes(StandardCharsets.ISO_8859_1);
      assertThat(actual)
          .as("message %s buffer %d block %d read %d", m, buffer, block, chunk)
          .isEqualTo(expected);
      assertThat(new String(session.readAllBytes(), StandardCharsets.ISO_8859_1))
          .as("after message %s", m)
          .isEqualTo(expectedRest)
          .endsWith(NEXT);
    }
  }

  private static byte[] reference(InputStream wire) throws IOException {
    InputStream s = new DotUnstuffingInputStream(new DotTerminatedInputStream(wire));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int c;
    while ((c = s.read()) >= 0) {
      out.write(c);
    }
    return out.toByteArray();
  }

  private static BufferedInputStream session(String wire, int bufferSize) {
    return new BufferedInputStream(
        new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)), bufferSize);
  }

  private static String readAll(InputStream in, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] b = new byte[chunk];
    int n;
    while ((n = in.read(b, 0, chunk)) >= 0) {
      out.write(b, 0, n);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
