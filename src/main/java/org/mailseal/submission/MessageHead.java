// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The header section of a submitted message, read off the front of the DATA stream with line
 * endings normalized to CRLF (bare LF and bare CR each become CRLF), bounded in size. The stream is
 * left at the first byte of the body.
 *
 * @param bytes the header fields as they will be stored, each line ending in CRLF, without the
 *     blank line that ends the section
 * @param fields each field unfolded, name and value (value without the leading space)
 * @param hasBody whether a blank line (and so possibly a body) followed the fields
 */
record MessageHead(byte[] bytes, List<Field> fields, boolean hasBody) {
  /** One header field, unfolded. */
  record Field(String name, String value) {}

  /** The header section is larger than the limit. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(int limit) {
      super("header section over " + limit + " bytes");
    }
  }

  /** A line that is neither a field nor a continuation (RFC 5322 §2.2). */
  static final class Malformed extends IOException {
    private static final long serialVersionUID = 1L;

    Malformed(String line) {
      super(line);
    }
  }

  MessageHead {
    fields = List.copyOf(fields);
  }

  /** The values of every field named {@code name}, in order. */
  List<String> values(String name) {
    List<String> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        out.add(f.value());
      }
    }
    return out;
  }

  boolean has(String name) {
    return !values(name).isEmpty();
  }

  /**
   * Reads the header section from {@code in}, which must be a {@link PushbackInputStream} able to
   * push back one byte (to tell CR from CRLF).
   */
  static MessageHead read(PushbackInputStream in, int limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
    List<String> lines = new ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    boolean hasBody = false;
    while (true) {
      int c = in.read();
      if (c == -1) {
        if (line.size() > 0) {
          endLine(line, out, lines, limit);
        }
        break;
      }
      if (c == '\r' || c == '\n') {
        if (c == '\r') {
          int next = in.read();
          if (next != '\n' && next != -1) {
            in.unread(next);
          }
        }
        if (line.size() == 0) {
          hasBody = true;
          break;
        }
        endLine(line, out, lines, limit);
        continue;
      }
      line.write(c);
      if (out.size() + line.size() > limit) {
        throw new TooLarge(limit);
      }
    }
    return new MessageHead(out.toByteArray(), unfold(lines), hasBody);
  }

  private static void endLine(
      ByteArrayOutputStream line, ByteArrayOutputStream out, List<String> lines, int limit)
      throws IOException {
    if (out.size() + line.size() + 2 > limit) {
      throw new TooLarge(limit);
    }
    byte[] b = line.toByteArray();
    out.write(b);
    out.write('\r');
    out.write('\n');
    // UTF-8 header fields are allowed (RFC 6532); the bytes are kept as they came.
    lines.add(new String(b, StandardCharsets.UTF_8));
    line.reset();
  }

  private static List<Field> unfold(List<String> lines) throws Malformed {
    List<Field> fields = new ArrayList<>();
    StringBuilder current = null;
    for (String l : lines) {
      if (!l.isEmpty() && (l.charAt(0) == ' ' || l.charAt(0) == '\t')) {
        if (current == null) {
          throw new Malformed("the first header line is a continuation line");
        }
        current.append(l);
        continue;
      }
      if (current != null) {
        fields.add(field(current.toString()));
      }
      current = new StringBuilder(l);
    }
    if (current != null) {
      fields.add(field(current.toString()));
    }
    return fields;
  }

  private static Field field(String unfolded) throws Malformed {
    int colon = unfolded.indexOf(':');
    if (colon <= 0) {
      throw new Malformed("a header line without a field name and colon");
    }
    String name = unfolded.substring(0, colon).strip();
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch < 33 || ch > 126) {
        throw new Malformed("a header field name with a space or control character");
      }
    }
    String value = unfolded.substring(colon + 1);
    return new Field(name, value.strip());
  }
}
