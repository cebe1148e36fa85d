// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a message with its line endings normalized to CRLF: a bare LF and a bare CR each become
 * CRLF, and a message that does not end with CRLF gets one (SMTP would add it on the wire anyway).
 * First {@link #readHeaderSection(int)}, then the body in chunks with {@link #read(byte[])}; the
 * body is never held whole.
 */
final class MessageStream {
  private static final int CHUNK = 8 * 1024;

  private final InputStream in;
  private final byte[] raw = new byte[CHUNK];
  private final byte[] buf = new byte[2 * CHUNK + 4];
  private int pos;
  private int limit;
  private boolean pendingCr;
  private boolean eof;
  private long emitted;
  private byte last1;
  private byte last2;

  MessageStream(InputStream in) {
    this.in = in;
  }

  /** The header section and the fields parsed from it. */
  record HeaderSection(byte[] bytes, List<HeaderField> fields) {}

  /**
   * Reads up to and including the blank line that ends the header section (or to the end of the
   * message when there is none).
   *
   * @throws DkimSignException when the section exceeds {@code maxBytes} or is not a list of fields
   */
  HeaderSection readHeaderSection(int maxBytes) throws IOException, DkimSignException {
    ByteArrayOutputStream header = new ByteArrayOutputStream(4096);
    // Matches CRLF CRLF; a message that starts with CRLF has an empty header section.
    int state = 2; // as if just after a CRLF
    boolean done = false;
    while (!done) {
      if (pos == limit && !fill()) {
        break;
      }
      int start = pos;
      while (pos < limit) {
        byte b = buf[pos++];
        if (b == '\r') {
          state = state == 2 ? 3 : 1;
        } else if (b == '\n' && state == 1) {
          state = 2;
        } else if (b == '\n' && state == 3) {
          done = true;
          break;
        } else {
          state = 0;
        }
      }
      header.write(buf, start, pos - start);
      if (header.size() > maxBytes) {
        throw new DkimSignException(
            DkimSignException.Reason.HEADER_TOO_LARGE,
            "header section exceeds " + maxBytes + " bytes");
      }
    }
    byte[] bytes = header.toByteArray();
    return new HeaderSection(bytes, parseFields(bytes));
  }

  /** Reads normalized body bytes; -1 at the end. */
  int read(byte[] dst) throws IOException {
    while (pos == limit) {
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(dst.length, limit - pos);
    System.arraycopy(buf, pos, dst, 0, n);
    pos += n;
    return n;
  }

  private boolean fill() throws IOException {
    pos = 0;
    limit = 0;
    while (limit == 0) {
      if (eof) {
        return false;
      }
      int n = in.read(raw);
      if (n < 0) {
        eof = true;
        if (pendingCr) {
          pendingCr = false;
          emitCrlf();
        }
        if (emitted > 0 && !(last2 == '\r' && last1 == '\n')) {
          emitCrlf();
        }
        return limit > 0;
      }
      int i = 0;
      if (pendingCr) {
        pendingCr = false;
        emitCrlf(); // CR LF, or a bare CR made CRLF
        if (raw[0] == '\n') {
          i = 1;
        }
      }
      while (i < n) {
        // Copy the run of ordinary bytes in one go; only CR and LF need a decision.
        int start = i;
        while (i < n && raw[i] != '\r' && raw[i] != '\n') {
          i++;
        }
        if (i > start) {
          System.arraycopy(raw, start, buf, limit, i - start);
          limit += i - start;
          emitted += i - start;
          last2 = i - start >= 2 ? raw[i - 2] : last1;
          last1 = raw[i - 1];
        }
        if (i == n) {
          break;
        }
        byte b = raw[i++];
        if (b == '\n') {
          emitCrlf(); // bare LF
        } else if (i == n) {
          pendingCr = true; // CR at the end of the chunk: decided by the next byte
        } else {
          emitCrlf(); // CR LF, or a bare CR made CRLF
          if (raw[i] == '\n') {
            i++;
          }
        }
      }
    }
    return true;
  }

  private void emitCrlf() {
    emit((byte) '\r');
    emit((byte) '\n');
  }

  private void emit(byte b) {
    buf[limit++] = b;
    last2 = last1;
    last1 = b;
    emitted++;
  }

  /** Splits a header section (with or without its blank line) into fields. */
  static List<HeaderField> parseFields(byte[] section) throws DkimSignException {
    String text = new String(section, StandardCharsets.ISO_8859_1);
    List<HeaderField> fields = new ArrayList<>();
    int start = 0;
    int lineNo = 0;
    StringBuilder current = null;
    String currentName = null;
    while (start < text.length()) {
      int end = text.indexOf("\r\n", start);
      String line = end < 0 ? text.substring(start) : text.substring(start, end);
      start = end < 0 ? text.length() : end + 2;
      lineNo++;
      if (line.isEmpty()) {
        break; // the blank line that ends the header section
      }
      char first = line.charAt(0);
      if (first == ' ' || first == '\t') {
        if (current == null) {
          throw new DkimSignException(
              DkimSignException.Reason.MALFORMED_HEADER,
              "malformed header section: line 1 is a continuation line");
        }
        current.append(line).append("\r\n");
        continue;
      }
      if (current != null) {
        fields.add(new HeaderField(currentName, current.toString()));
      }
      int colon = line.indexOf(':');
      String name = colon < 0 ? "" : line.substring(0, colon).strip();
      if (colon < 0 || name.isEmpty() || !isFieldName(name)) {
        throw new DkimSignException(
            DkimSignException.Reason.MALFORMED_HEADER,
            "malformed header section: line " + lineNo + " is not a header field");
      }
      currentName = name;
      current = new StringBuilder(line.length() + 2).append(line).append("\r\n");
    }
    if (current != null) {
      fields.add(new HeaderField(currentName, current.toString()));
    }
    return fields;
  }

  private static boolean isFieldName(String name) {
    // RFC 5322 §3.6.8: printable US-ASCII except colon
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 33 || c > 126) {
        return false;
      }
    }
    return true;
  }
}
