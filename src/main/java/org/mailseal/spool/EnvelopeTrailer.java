// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The envelope a new message file carries after its bytes, so that one file, created and synced
 * once, is a whole entry (see {@code package-info.java}, "Layout"):
 *
 * <pre>
 * message bytes (SpoolEntry.size of them) | envelope JSON (n bytes) | footer (32 bytes)
 * footer = NUL "mailseal-envelope/1 " n as 10 decimal digits LF
 * </pre>
 *
 * The envelope sits after the message because its {@code size} is known only once the message has
 * been streamed. The footer is fixed-size and starts with a NUL, which no RFC 5322 message we
 * accept ends with, so a file from before this format (message bytes only) is told apart by its
 * last 32 bytes.
 */
final class EnvelopeTrailer {
  private static final byte[] MAGIC = "\0mailseal-envelope/1 ".getBytes(StandardCharsets.US_ASCII);
  private static final int DIGITS = 10;

  /** Length of the footer. */
  static final int FOOTER = MAGIC.length + DIGITS + 1;

  private EnvelopeTrailer() {}

  /** The footer that ends a file whose envelope JSON is {@code jsonLength} bytes. */
  static byte[] footer(int jsonLength) {
    byte[] out = Arrays.copyOf(MAGIC, FOOTER);
    String digits = String.format("%0" + DIGITS + "d", jsonLength);
    byte[] d = digits.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(d, 0, out, MAGIC.length, DIGITS);
    out[FOOTER - 1] = '\n';
    return out;
  }

  /**
   * The envelope JSON at the end of an open message file, or empty when the file has no trailer (a
   * message file of the earlier two-file format, or one cut short).
   */
  static Optional<byte[]> read(FileChannel ch) throws IOException {
    long fileSize = ch.size();
    if (fileSize < FOOTER) {
      return Optional.empty();
    }
    ByteBuffer footer = ByteBuffer.allocate(FOOTER);
    readFully(ch, footer, fileSize - FOOTER);
    byte[] f = footer.array();
    if (!Arrays.equals(f, 0, MAGIC.length, MAGIC, 0, MAGIC.length) || f[FOOTER - 1] != '\n') {
      return Optional.empty();
    }
    long jsonLength = 0;
    for (int i = MAGIC.length; i < MAGIC.length + DIGITS; i++) {
      if (f[i] < '0' || f[i] > '9') {
        return Optional.empty();
      }
      jsonLength = jsonLength * 10 + (f[i] - '0');
    }
    if (jsonLength > fileSize - FOOTER) {
      return Optional.empty();
    }
    ByteBuffer json = ByteBuffer.allocate((int) jsonLength);
    readFully(ch, json, fileSize - FOOTER - jsonLength);
    return Optional.of(json.array());
  }

  /** How many bytes the trailer of an envelope of {@code jsonLength} bytes takes. */
  static long length(int jsonLength) {
    return (long) jsonLength + FOOTER;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("message file shrank while being read");
      }
      pos += n;
    }
  }
}
