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
  private final MessageDigest digest;
  private final long limit;
  private final byte[] out = new byte[8192];
  private int outLen;
  private long produced;
  private long pendingEmptyLines;
  private boolean atLineStart = true;
  private boolean pendingWsp;
  private boolean anyOutput;

  /**
   * @param limit how many canonical bytes to hash; {@code -1} for all
   */
  BodyCanonicalizer(Canonicalization canonicalization, MessageDigest digest, long limit) {
    this.relaxed = canonicalization == Canonicalization.RELAXED;
    this.digest = digest;
    this.limit = limit;
  }

  void update(byte[] data, int off, int len) {
    int end = off + len;
    int i = off;
    while (i < end) {
      byte b = data[i];
      if (b == '\r') {
        i++;
        continue; // always followed by LF in normalized input; the LF ends the line
      }
      if (b == '\n') {
        pendingWsp = false; // relaxed: WSP at the end of a line is ignored
        if (atLineStart) {
          pendingEmptyLines++;
        } else {
          put(CRLF, 2);
          atLineStart = true;
        }
        i++;
        continue;
      }
      if (relaxed && (b == ' ' || b == '\t')) {
        pendingWsp = true; // relaxed: a run of WSP becomes one SP, if the line goes on
        i++;
        continue;
      }
      flushEmptyLines();
      if (pendingWsp) {
        putByte((byte) ' ');
        pendingWsp = false;
      }
      // A run of bytes that pass unchanged goes to the digest straight from the input.
      int start = i;
      while (i < end && isPlain(data[i])) {
        i++;
      }
      putRun(data, start, i - start);
      atLineStart = false;
    }
  }

  private boolean isPlain(byte b) {
    return b != '\r' && b != '\n' && !(relaxed && (b == ' ' || b == '\t'));
  }

  private void putRun(byte[] data, int off, int len) {
    anyOutput = true;
    int allowed = (int) (limit < 0 ? len : Math.max(0, Math.min(len, limit - produced)));
    produced += len;
    if (allowed == 0) {
      return;
    }
    if (allowed >= out.length) {
      flushOut();
      digest.update(data, off, allowed);
      return;
    }
    // Short runs (relaxed breaks a line at every space) are gathered so that the digest is
    // updated in large blocks: each update call has a fixed cost.
    if (outLen + allowed >= out.length) {
      flushOut();
    }
    System.arraycopy(data, off, out, outLen, allowed);
    outLen += allowed;
  }

  /** Ends the body and returns the digest of its canonical form. */
  byte[] finish() {
    if (!atLineStart) {
      put(CRLF, 2); // a last line without CRLF gets one (both algorithms)
    }
    if (!relaxed && !anyOutput) {
      put(CRLF, 2); // RFC 6376 §3.4.3: the simple canonical form of an empty body is CRLF
    }
    flushOut();
    return digest.digest();
  }

  /** How many canonical bytes the body had in all (before {@code l=} cut it). */
  long length() {
    return produced;
  }

  private void flushEmptyLines() {
    while (pendingEmptyLines > 0) {
      put(CRLF, 2);
      pendingEmptyLines--;
    }
  }

  private void put(byte[] bytes, int n) {
    for (int i = 0; i < n; i++) {
      putByte(bytes[i]);
    }
  }

  private void putByte(byte b) {
    anyOutput = true;
    produced++;
    if (limit >= 0 && produced > limit) {
      return;
    }
    out[outLen++] = b;
    if (outLen == out.length) {
      flushOut();
    }
  }

  private void flushOut() {
    digest.update(out, 0, outLen);
    outLen = 0;
  }
}
