// SPDX-License-Identifier: Apache-2.0
package org.mailseal.bench;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A realistic text message of about a given size, ready for DATA: CRLF lines of at most 72
 * characters, no line starting with a dot, ended by the {@code .} line. The header fields are built
 * per message (a unique Message-ID); the body is built once and shared.
 */
final class TestMessage {
  private static final String WORDS =
      "the quick brown fox jumps over a lazy dog while seven reports wait for review and"
          + " payment is due on friday please find the figures attached below ";

  private final String from;
  private final String recipient;
  private final String date;
  private final String runId;
  private final byte[] body;

  TestMessage(String from, String recipient, ZonedDateTime date, String runId, int size) {
    this.from = from;
    this.recipient = recipient;
    this.date = DateTimeFormatter.RFC_1123_DATE_TIME.format(date);
    this.runId = runId;
    int headerGuess = head(Long.MAX_VALUE).length;
    this.body = body(Math.max(0, size - headerGuess));
  }

  /** Header fields and the blank line, CRLF ended. */
  byte[] head(long n) {
    String domain = from.substring(from.indexOf('@') + 1);
    return ("From: Load Generator <"
            + from
            + ">\r\nTo: <"
            + recipient
            + ">\r\nSubject: mailseal bench message "
            + n
            + "\r\nDate: "
            + date
            + "\r\nMessage-ID: <bench."
            + runId
            + "."
            + n
            + "@"
            + domain
            + ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** The body, then the terminating {@code .} line. */
  byte[] bodyAndEnd() {
    return body;
  }

  private static byte[] body(int size) {
    StringBuilder sb = new StringBuilder(size + 80);
    int w = 0;
    while (sb.length() < size) {
      int lineEnd = Math.min(70, Math.max(1, size - sb.length() - 2));
      StringBuilder line = new StringBuilder(72);
      while (line.length() < lineEnd) {
        line.append(WORDS.charAt(w++ % WORDS.length()));
      }
      // RFC 5321 §4.5.2: a line starting with "." would need stuffing; ours never do.
      String l = line.toString().stripLeading();
      sb.append(l.isEmpty() ? "x" : l).append("\r\n");
    }
    sb.append(".\r\n");
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
