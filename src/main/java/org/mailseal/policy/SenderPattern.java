// SPDX-License-Identifier: Apache-2.0
package org.mailseal.policy;

/**
 * One sender a user may use: an exact address ({@code alice@example.com}), every address of a
 * domain ({@code example.com} or {@code @example.com}), or of its subdomains ({@code
 * *.example.com}, which does not match {@code example.com} itself).
 */
public record SenderPattern(Kind kind, String localPart, String domain) {
  /** What a pattern matches. */
  public enum Kind {
    ADDRESS,
    DOMAIN,
    SUBDOMAINS
  }

  /**
   * Parses a pattern as written in the users file or on the command line.
   *
   * @throws IllegalArgumentException naming the pattern when it is none of the three forms
   */
  public static SenderPattern parse(String text) {
    String t = text.strip();
    try {
      if (t.startsWith("*.")) {
        return new SenderPattern(Kind.SUBDOMAINS, "", MailAddress.domain(t.substring(2)));
      }
      if (t.startsWith("@")) {
        return new SenderPattern(Kind.DOMAIN, "", MailAddress.domain(t.substring(1)));
      }
      if (t.indexOf('@') < 0) {
        return new SenderPattern(Kind.DOMAIN, "", MailAddress.domain(t));
      }
      MailAddress a = MailAddress.parse(t);
      return new SenderPattern(Kind.ADDRESS, a.localPart(), a.domain());
    } catch (MailAddress.Invalid e) {
      throw new IllegalArgumentException(
          "not a sender pattern (address, domain or *.domain): "
              + text
              + " ("
              + e.getMessage()
              + ")");
    }
  }

  /**
   * Whether {@code a} is one of the senders this pattern allows; local parts compare without case.
   */
  public boolean matches(MailAddress a) {
    return switch (kind) {
      case ADDRESS -> a.domain().equals(domain) && a.localPart().equalsIgnoreCase(localPart);
      case DOMAIN -> a.domain().equals(domain);
      case SUBDOMAINS -> a.domain().endsWith("." + domain);
    };
  }

  @Override
  public String toString() {
    return switch (kind) {
      case ADDRESS -> localPart + "@" + domain;
      case DOMAIN -> domain;
      case SUBDOMAINS -> "*." + domain;
    };
  }
}
