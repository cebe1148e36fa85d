// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.security.MessageDigest;

/**
 * Canonicalizes a body as it streams through (RFC 6376 §3.4.3 simple, §3.4.4 relaxed) and feeds the
 * result to a digest, optionally only its first {@code limit} bytes (the {@code l=} tag). Input
 * must already have CRLF line endings ({@link MessageStream} guarantees it).
 *
 * <p>Empty lines are held back as a count and written only when a non-empty line follows, so the
 * empty lines at the end of the body are dropped without buffering them. Byte-level, one pass, no
 * allocation per line.
 */
final class BodyCanonicalizer {
  private static final byte[] CRLF = {'\r', '\n'};

  private final boolean relaxed;
  private final boolean[] plain;
  private final MessageDigest digest;
  private final long limit;
  private final byte[] out = new byte[8192];
  private int outLen;
  private long flushed; // canonical bytes already passed through flushOut()
  private long pendingEmptyLines;
  private boolean atLineStart = true;
  private boolean pendingWsp;

  /**
   * @param limit how many canonical bytes to hash; {@code -1} for all
   */
  BodyCanonicalizer(Canonicalization canonicalization, MessageDigest digest, long limit) {
    this.relaxed = canonicalization == Canonicalization.RELAXED;
    this.plain = relaxed ? RELAXED_PLAIN : SIMPLE_PLAIN;
    this.digest = digest;
    this.limit = limit;
  }

  void update(byte[] data, int off, int len) {
    final boolean[] plain = this.plain;
    final byte[] o = out;
    final int room = o.length - 4; // a byte, a pending space, or a CRLF always fit
    // The state lives in locals for the loop and is written back once: this is the hot path.
    int n = outLen;
    boolean lineStart = atLineStart;
    boolean wsp = pendingWsp;
    for (int i = off, end = off + len; i < end; i++) {
      byte b = data[i];
      if (plain[b & 0xff]) {
        if (lineStart) {
          if (pendingEmptyLines > 0) {
            outLen = n;
            flushEmptyLines();
            n = outLen;
          }
          lineStart = false;
        }
        if (wsp) {
          o[n++] = ' '; // relaxed: a run of WSP inside a line becomes one SP
          wsp = false;
        }
        o[n++] = b;
      } else if (b == '\n') {
        wsp = false; // relaxed: WSP at the end of a line is ignored
        if (lineStart) {
          pendingEmptyLines++; // written only if a non-empty line follows
        } else {
          o[n++] = '\r';
          o[n++] = '\n';
          lineStart = true;
        }
      } else if (b != '\r') {
        wsp = true; // relaxed SP or HTAB; CR is skipped: the LF after it ends the line
      }
      if (n >= room) {
        outLen = n;
        flushOut();
        n = 0;
      }
    }
    outLen = n;
    atLineStart = lineStart;
    pendingWsp = wsp;
  }

  /** Ends the body and returns the digest of its canonical form. */
  byte[] finish() {
    if (!atLineStart) {
      put(CRLF); // a last line without CRLF gets one (both algorithms)
    }
    if (!relaxed && length() == 0) {
      put(CRLF); // RFC 6376 §3.4.3: the simple canonical form of an empty body is CRLF
    }
    flushOut();
    return digest.digest();
  }

  /** How many canonical bytes the body had in all (before {@code l=} cut it). */
  long length() {
    return flushed + outLen;
  }

  private void flushEmptyLines() {
    while (pendingEmptyLines > 0) {
      put(CRLF);
      pendingEmptyLines--;
    }
  }

  private void put(byte[] bytes) {
    if (outLen + bytes.length > out.length) {
      flushOut();
    }
    System.arraycopy(bytes, 0, out, outLen, bytes.length);
    outLen += bytes.length;
  }

  /** Hashes the buffer, only up to {@code l=} when there is one. */
  private void flushOut() {
    int hashed = limit < 0 ? outLen : (int) Math.max(0, Math.min(outLen, limit - flushed));
    if (hashed > 0) {
      digest.update(out, 0, hashed);
    }
    flushed += outLen;
    outLen = 0;
  }

  /** Bytes that pass unchanged: all but CR and LF, and for relaxed also SP and HTAB. */
  private static final boolean[] SIMPLE_PLAIN = plain(false);

  private static final boolean[] RELAXED_PLAIN = plain(true);

  private static boolean[] plain(boolean relaxed) {
    boolean[] t = new boolean[256];
    for (int i = 0; i < 256; i++) {
      t[i] = i != '\r' && i != '\n' && !(relaxed && (i == ' ' || i == '\t'));
    }
    return t;
  }
}
