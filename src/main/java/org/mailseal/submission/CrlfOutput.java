// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes bytes with every line ending as CRLF: a bare LF or a bare CR becomes CRLF, as the signer
 * does for signed mail; used for mail relayed unsigned so both leave in the same form.
 */
final class CrlfOutput extends FilterOutputStream {
  private boolean lastCr;

  CrlfOutput(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    if (b == '\n') {
      if (!lastCr) {
        out.write('\r');
      }
      out.write('\n');
      lastCr = false;
      return;
    }
    if (lastCr) {
      out.write('\n');
    }
    if (b == '\r') {
      out.write('\r');
      lastCr = true;
      return;
    }
    lastCr = false;
    out.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    for (int i = off; i < off + len; i++) {
      write(b[i]);
    }
  }

  @Override
  public void close() throws IOException {
    if (lastCr) {
      out.write('\n');
      lastCr = false;
    }
    flush();
  }
}
