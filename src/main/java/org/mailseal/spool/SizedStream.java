// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The first {@code size} bytes of a message file: what follows them is the envelope (see {@link
 * EnvelopeTrailer}), which must never reach an upstream. Ending early is an error, not a short
 * message: a message file is never shorter than its envelope says once it is committed. {@code
 * onClose} runs once, at the first close.
 */
final class SizedStream extends FilterInputStream {
  private final Runnable onClose;
  private long remaining;
  private boolean closed;

  SizedStream(InputStream in, long size, Runnable onClose) {
    super(in);
    this.remaining = size;
    this.onClose = onClose;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      in.close();
    } finally {
      onClose.run();
    }
  }

  @Override
  public int read() throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int b = in.read();
    if (b < 0) {
      throw new IOException("message file ends " + remaining + " bytes early");
    }
    remaining--;
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (remaining <= 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      throw new IOException("message file ends " + remaining + " bytes early");
    }
    remaining -= n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(Math.min(n, remaining));
    remaining -= skipped;
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(in.available(), remaining);
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }
}
