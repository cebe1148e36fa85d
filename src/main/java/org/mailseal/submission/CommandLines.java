// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.subethamail.smtp.server.Session;

/**
 * Command lines past SubEthaSMTP's reader limit. Its reader refuses any line of 998 characters or
 * more with {@code 501 Input line length is too long!} (no enhanced code) and closes the session,
 * though RFC 4954 §4 allows AUTH lines of 12,288 octets. So after each command, while the client's
 * next line is awaited, {@link #screen} reads that line ahead under a mark of the session's
 * buffered input: a short line is given back for SubEthaSMTP to read as usual; a long AUTH line is
 * taken and returned, for the caller to run; any other long line is answered {@code 500 5.5.2} and
 * dropped, and the session goes on; so is a line whose verb no command has (SubEthaSMTP's {@code
 * 500 Error: command not implemented} has no enhanced code). The first line of a session (EHLO) is
 * not screened: no command ran before it.
 */
final class CommandLines {
  /** SubEthaSMTP's reader refuses lines of this many characters or more. */
  static final int READER_LIMIT = 998;

  /** RFC 4954 §4: an AUTH command line or response line may be up to 12,288 octets. */
  static final int AUTH_LIMIT = 12_288;

  private CommandLines() {}

  /**
   * Looks at the next command line without taking it, unless it is too long for SubEthaSMTP.
   *
   * @return a long AUTH line (taken from the input) for the caller to run; empty when the next line
   *     is left for SubEthaSMTP (or the input ended, or the session is closing)
   */
  static Optional<String> screen(Session s, java.util.Set<String> verbs) {
    if (s.getSocket().isClosed()) {
      return Optional.empty();
    }
    InputStream in = s.getRawInput();
    try {
      while (true) {
        in.mark(AUTH_LIMIT + 2);
        Line line = read(in, AUTH_LIMIT);
        if (line == null) {
          in.reset();
          return Optional.empty();
        }
        if (!line.tooLong() && line.text().length() < READER_LIMIT) {
          String unknown = unknownVerb(line.text(), verbs);
          if (unknown == null) {
            in.reset(); // SubEthaSMTP reads it
            return Optional.empty();
          }
          s.sendResponse(unknown); // SubEthaSMTP's own reply here has no enhanced code
          continue;
        }
        if (!line.tooLong() && isAuth(line.text())) {
          return Optional.of(line.text());
        }
        s.sendResponse(
            isAuth(line.text())
                ? "500 5.5.6 Authentication Exchange line is too long"
                : "500 5.5.2 Line too long: at most "
                    + (READER_LIMIT - 1)
                    + " octets, "
                    + AUTH_LIMIT
                    + " for AUTH");
      }
    } catch (SocketTimeoutException e) {
      try {
        s.sendResponse("421 4.4.2 Timeout waiting for a command; closing");
      } catch (IOException gone) {
        // closing anyway
      }
      s.quit();
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // the session is closing; SubEthaSMTP's next read ends it
    }
  }

  /**
   * Reads one AUTH response line (RFC 4954 §4), taking it from the input.
   *
   * @return the line, or null when the input ended
   * @throws LineTooLong past {@link #AUTH_LIMIT} octets (the rest of the line is dropped)
   */
  static String authResponse(Session s) throws IOException {
    Line line = read(s.getRawInput(), AUTH_LIMIT);
    if (line == null) {
      return null;
    }
    if (line.tooLong()) {
      throw new LineTooLong();
    }
    return line.text();
  }

  /**
   * Reads one command line of at most {@link #READER_LIMIT} octets, taking it from {@code in}.
   *
   * @return the line without CRLF, or null when the input ended
   * @throws LineTooLong past the limit (the rest of the line is dropped)
   */
  static String nextLine(InputStream in) throws IOException {
    Line line = read(in, READER_LIMIT);
    if (line == null) {
      return null;
    }
    if (line.tooLong()) {
      throw new LineTooLong();
    }
    return line.text();
  }

  /** A line was longer than its limit. */
  static final class LineTooLong extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /** Our reply to a line whose verb no command has, or null when one has it. */
  private static String unknownVerb(String line, java.util.Set<String> verbs) {
    String verb = line.strip().split(" ", 2)[0].toUpperCase(Locale.ROOT);
    if (verb.isEmpty()) {
      return "500 5.5.2 Syntax error: no command";
    }
    // SubEthaSMTP looks a command up by its first four letters, then by its first word.
    String four = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : "";
    return verbs.contains(verb) || verbs.contains(four) ? null : "500 5.5.1 Command not recognized";
  }

  private static boolean isAuth(String line) {
    return line.length() > 5 && line.substring(0, 5).toUpperCase(Locale.ROOT).equals("AUTH ");
  }

  /** A line without its CRLF, or the start of one longer than the limit (the rest dropped). */
  private record Line(String text, boolean tooLong) {}

  /** Reads to LF; past {@code limit} octets reads on to LF, keeping the start. Null at EOF. */
  private static Line read(InputStream in, int limit) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
    boolean tooLong = false;
    while (true) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      if (c == '\n') {
        break;
      }
      if (!tooLong) {
        buf.write(c);
        tooLong = buf.size() > limit + 1; // + 1: the CR of CRLF; what was read is kept
      }
    }
    byte[] b = buf.toByteArray();
    int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
    return new Line(new String(b, 0, n, StandardCharsets.UTF_8), tooLong);
  }
}
