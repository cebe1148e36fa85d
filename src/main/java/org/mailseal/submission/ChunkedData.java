// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.subethamail.smtp.server.Session;

/**
 * The message of a BDAT sequence (RFC 3030 §2): the chunks of {@code BDAT size} commands up to the
 * one marked {@code LAST}, read from the session's input in blocks. At the end of each chunk but
 * the last it answers {@code 250 2.0.0} and reads the next command line itself, which must be
 * another BDAT; anything else abandons the message ({@link Abandoned}, with the reply to send).
 * Replaces SubEthaSMTP's BDAT stream, which answered {@code 250 Message OK} and {@code 503} without
 * enhanced codes, read a byte at a time, and closed the session on a syntax error.
 */
final class ChunkedData extends InputStream {
  /** One BDAT command's arguments: the chunk size and whether it is the last. */
  record Chunk(long size, boolean last) {
    static final String SYNTAX = "501 5.5.4 Syntax: BDAT size [LAST]";

    /** The chunk {@code argument} ({@code "1024 LAST"}) describes, or null when malformed. */
    static Chunk parse(String argument) {
      String[] args = argument.strip().split(" +");
      if (args.length < 1 || args.length > 2 || !args[0].matches("[0-9]{1,18}")) {
        return null;
      }
      if (args.length == 2 && !args[1].equalsIgnoreCase("LAST")) {
        return null;
      }
      return new Chunk(Long.parseLong(args[0]), args.length == 2);
    }
  }

  /** The client sent something other than a well-formed BDAT between chunks. */
  static final class Abandoned extends IOException {
    private static final long serialVersionUID = 1L;

    Abandoned(String reply) {
      super(reply);
    }

    String reply() {
      return getMessage();
    }
  }

  private final Session session;
  private final InputStream in;
  private final DotData.Pace pace;
  private long size;
  private long remaining;
  private boolean last;
  private boolean ended;
  private final byte[] one = new byte[1];

  ChunkedData(Session session, Chunk first, DotData.Pace pace) {
    this.session = session;
    this.in = session.getRawInput();
    this.pace = pace;
    this.size = first.size();
    this.remaining = first.size();
    this.last = first.last();
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
    while (remaining == 0) {
      if (last) {
        if (!ended) {
          ended = true;
          pace.ended();
        }
        return -1;
      }
      nextChunk();
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      throw new EOFException("the connection ended inside a BDAT chunk");
    }
    remaining -= n;
    pace.received(n);
    return n;
  }

  /** Answers the chunk just read and reads the next BDAT command. */
  private void nextChunk() throws IOException {
    session.sendResponse("250 2.0.0 " + size + " octets received");
    String line;
    try {
      line = CommandLines.nextLine(in);
    } catch (CommandLines.LineTooLong e) {
      throw new Abandoned("500 5.5.2 Line too long; message dropped");
    }
    if (line == null) {
      throw new EOFException("the connection ended between BDAT chunks");
    }
    if (!line.toUpperCase(Locale.ROOT).startsWith("BDAT ")) {
      throw new Abandoned(
          "503 5.5.1 Expected BDAT after a chunk that was not LAST; message dropped");
    }
    Chunk c = Chunk.parse(line.substring(5));
    if (c == null) {
      throw new Abandoned(Chunk.SYNTAX + "; message dropped");
    }
    size = c.size();
    remaining = c.size();
    last = c.last();
  }

  /** Reads and drops the rest of the message, through its LAST chunk. */
  void drain() throws IOException {
    byte[] sink = new byte[8192];
    while (read(sink, 0, sink.length) >= 0) {
      // discard
    }
  }
}
