// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The message of an SMTP DATA command (RFC 5321 §4.1.1.4, §4.5.2): the bytes up to the line that is
 * a lone {@code .}, with the dot that starts any other line removed. It reads the session's
 * buffered input in blocks, not byte by byte, and never consumes a byte past the terminating {@code
 * CRLF.CRLF}: a pipelining client's next command must stay in the session's buffer. The input must
 * support {@link InputStream#mark}: each block is read under a mark, and the block that holds the
 * terminator is reset and re-skipped to just past it.
 *
 * <p>Lines start after CRLF only, as SubEthaSMTP's own streams have it; a bare LF does not start a
 * line, and a line {@code .X} yields {@code X}. Unlike SubEthaSMTP 7.2, the first line is a line
 * too: its leading dot is stuffing (RFC 5321 §4.5.2). Closing this stream does not close the
 * session's input.
 */
final class DotData extends InputStream {
  /** Told of the bytes as they arrive and of the end of the message (see {@link Deadline}). */
  interface Pace {
    Pace NONE =
        new Pace() {
          @Override
          public void received(int n) {}

          @Override
          public void ended() {}
        };

    /** {@code n} more bytes arrived; throws to stop reading. */
    void received(int n) throws IOException;

    /** The terminator arrived; throws to stop before the message is used. */
    void ended() throws IOException;
  }

  private static final int MID = 0; // inside a line
  private static final int CR = 1; // after CR
  private static final int START = 2; // at the start of a line (after CRLF, or the first byte)
  private static final int DOT = 3; // after a dot at the start of a line
  private static final int DOT_CR = 4; // after ".CR" at the start of a line
  private static final int END = 5; // the terminator was read

  private final InputStream in;
  private final Pace pace;
  private final byte[] raw;
  private int rawPos;
  private int rawLim;
  private int state = START;
  private int pending = -1; // the CR of ".CR" not followed by LF, owed to the reader
  private final byte[] one = new byte[1]; // for read(): the header section is read byte by byte

  /** Reads DATA from {@code in}, which must support mark/reset (a {@code BufferedInputStream}). */
  DotData(InputStream in, int blockSize) {
    this(in, blockSize, Pace.NONE);
  }

  /** As {@link #DotData(InputStream, int)}, telling {@code pace} of the progress. */
  DotData(InputStream in, int blockSize, Pace pace) {
    if (!in.markSupported()) {
      throw new IllegalArgumentException("DotData needs an input that supports mark");
    }
    this.in = in;
    this.pace = pace;
    this.raw = new byte[blockSize];
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    int o = off;
    int end = off + len;
    if (pending >= 0) {
      b[o++] = (byte) pending;
      pending = -1;
    }
    while (o < end && state != END) {
      if (rawPos == rawLim && !refill()) {
        break;
      }
      byte[] r = raw;
      int p = rawPos;
      int lim = rawLim;
      int s = state;
      while (p < lim && o < end) {
        byte c = r[p++];
        switch (s) {
          case MID:
            b[o++] = c;
            if (c == '\r') {
              s = CR;
            }
            break;
          case CR:
            b[o++] = c;
            s = c == '\n' ? START : c == '\r' ? CR : MID;
            break;
          case START:
            if (c == '.') {
              s = DOT;
            } else {
              b[o++] = c;
              s = c == '\r' ? CR : MID;
            }
            break;
          case DOT:
            if (c == '\r') {
              s = DOT_CR;
            } else {
              b[o++] = c; // the stuffed dot is dropped; the line goes on
              s = MID;
            }
            break;
          case DOT_CR:
            if (c == '\n') {
              rawPos = p;
              state = END;
              giveBack();
              pace.ended();
              return o == off ? -1 : o - off;
            }
            // ".CR" then something else: the dot was stuffing, the CR is data.
            b[o++] = '\r';
            if (o < end) {
              b[o++] = c;
            } else {
              pending = c & 0xff;
            }
            s = c == '\r' ? CR : MID;
            break;
          default:
            throw new IllegalStateException("state " + s);
        }
      }
      rawPos = p;
      state = s;
    }
    if (o == off) {
      if (state == END) {
        return -1;
      }
      throw new EOFException("the connection ended before <CRLF>.<CRLF>");
    }
    return o - off;
  }

  /** Reads the next block under a mark; false at the end of the input. */
  private boolean refill() throws IOException {
    in.mark(raw.length);
    int n = in.read(raw, 0, raw.length);
    if (n <= 0) {
      return false;
    }
    pace.received(n);
    rawPos = 0;
    rawLim = n;
    return true;
  }

  /** Returns the bytes of the last block after the terminator to the session's input. */
  private void giveBack() throws IOException {
    in.reset();
    long left = rawPos;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        throw new IOException("cannot skip past the end of DATA in the session input");
      }
      left -= skipped;
    }
    rawPos = rawLim = 0;
  }

  /** Reads and drops the rest of the message, up to its terminator. */
  void drain() throws IOException {
    if (state == END) {
      return; // the usual case: the handler read the whole message
    }
    byte[] sink = new byte[raw.length];
    while (read(sink, 0, sink.length) >= 0) {
      // discard
    }
  }

  @Override
  public void close() {
    // The session's input stays open for the next command.
  }
}
