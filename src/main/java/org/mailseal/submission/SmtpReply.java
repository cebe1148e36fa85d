// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

/**
 * An SMTP reply refusing something: the basic code, the enhanced status code (RFC 3463) and a text
 * for people.
 *
 * @param code 4xx or 5xx
 * @param enhanced {@code class.subject.detail}, e.g. {@code 5.7.1}, whose class matches the code
 */
public record SmtpReply(int code, String enhanced, String text) {
  public SmtpReply {
    if (code < 400 || code > 599) {
      throw new IllegalArgumentException("SmtpReply: code must be 4xx or 5xx, found " + code);
    }
    if (!enhanced.matches("[45]\\.\\d{1,3}\\.\\d{1,3}")
        || enhanced.charAt(0) != ('0' + code / 100)) {
      throw new IllegalArgumentException("SmtpReply: enhanced code " + enhanced + " for " + code);
    }
    if (text.isBlank() || text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("SmtpReply: text must be one non-empty line");
    }
  }

  /** The reply after its code: {@code "5.7.1 text"}. */
  public String message() {
    return enhanced + " " + text;
  }

  @Override
  public String toString() {
    return code + " " + message();
  }
}
