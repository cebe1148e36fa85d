// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that fails once more than {@code limit} bytes have been read from it, and remembers that
 * it did: a parser that wraps the failure in its own exception still lets the caller say "too
 * large" rather than "malformed".
 */
final class LimitedInputStream extends FilterInputStream {
  /** Thrown by a read past the limit. */
  static final class LimitExceeded extends IOException {
    private static final long serialVersionUID = 1L;

    LimitExceeded(String message) {
      super(message);
    }
  }

  private final long limit;
  private final String what;
  private long count;
  private boolean exceeded;

  /**
   * @param what what the limit is of, for the message: "larger than {limit} bytes {what}"
   */
  LimitedInputStream(InputStream in, long limit, String what) {
    super(in);
    this.limit = limit;
    this.what = what;
  }

  boolean exceeded() {
    return exceeded;
  }

  String message() {
    return "larger than " + limit + " bytes " + what;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      counted(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      counted(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long s = super.skip(n);
    counted(s);
    return s;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void counted(long n) throws LimitExceeded {
    count += n;
    if (count > limit) {
      exceeded = true;
      throw new LimitExceeded(message());
    }
  }

  /** True when {@code e} or one of its causes is a read past a limit. */
  static boolean isLimit(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof LimitExceeded) {
        return true;
      }
      if (t instanceof javax.xml.stream.XMLStreamException x
          && x.getNestedException() instanceof LimitExceeded) {
        return true;
      }
    }
    return false;
  }
}
