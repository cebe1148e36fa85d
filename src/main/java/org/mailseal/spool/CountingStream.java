// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Counts the bytes a {@link MessageWriter} writes. {@link #close()} only flushes: the spool syncs
 * and closes the file itself after the writer returns, so a writer that closes its stream does no
 * harm.
 */
final class CountingStream extends FilterOutputStream {
  private long count;

  CountingStream(OutputStream out) {
    super(out);
  }

  long count() {
    return count;
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    count++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    count += len;
  }

  @Override
  public void close() throws IOException {
    out.flush();
  }
}
