// SPDX-License-Identifier: Apache-2.0
package org.mailseal.policy;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A mailbox as SMTP carries it (RFC 5321 §4.1.2 {@code Mailbox}): a local part and a domain, the
 * domain lower-cased in its ASCII (A-label) form. The parser refuses every old way of routing mail
 * through a relay by its address: source routes {@code <@a:b@c>}, {@code user%host@domain}, bang
 * paths {@code host!user}, quoted local parts hiding {@code @}, {@code %} or {@code !}, and address
 * literals. Such an address could only mean "forward this somewhere else", which a submission
 * server never does for a client.
 */
public record MailAddress(String localPart, String domain) {
  private static final Pattern DOT_ATOM =
      Pattern.compile("[\\p{L}\\p{N}!#$&'*+/=?^_`{|}~-]+(\\.[\\p{L}\\p{N}!#$&'*+/=?^_`{|}~-]+)*");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  /** An address that is not acceptable, with the reason. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    public Invalid(String reason) {
      super(reason);
    }
  }

  public MailAddress {
    domain = domain.toLowerCase(Locale.ROOT);
  }

  /** The address as {@code local@domain}. */
  public String address() {
    return localPart + "@" + domain;
  }

  @Override
  public String toString() {
    return address();
  }

  /**
   * Parses the inside of a path ({@code <...>} already removed, or not: both are accepted).
   *
   * @throws Invalid naming what is wrong
   */
  public static MailAddress parse(String text) throws Invalid {
    String t = text.strip();
    if (t.startsWith("<") && t.endsWith(">")) {
      t = t.substring(1, t.length() - 1).strip();
    }
    if (t.isEmpty()) {
      throw new Invalid("an empty address is not allowed here");
    }
    if (t.length() > 254) {
      throw new Invalid("address longer than 254 characters");
    }
    if (t.startsWith("@")) {
      throw new Invalid("source routes (<@host:user@domain>) are not accepted");
    }
    int at = t.lastIndexOf('@');
    if (at <= 0 || at == t.length() - 1) {
      throw new Invalid("address must be local-part@domain: <" + printable(t) + ">");
    }
    String local = t.substring(0, at);
    String domain = t.substring(at + 1);
    if (local.startsWith("\"")) {
      if (!local.endsWith("\"") || local.length() < 2) {
        throw new Invalid("unbalanced quotes in the local part");
      }
      String inner = local.substring(1, local.length() - 1);
      if (inner.matches(".*[@%!\\\\\"].*") || inner.chars().anyMatch(c -> c < 32 || c == 127)) {
        throw new Invalid("quoted local parts with @, %, ! or escapes are not accepted");
      }
    } else {
      if (local.indexOf('%') >= 0) {
        throw new Invalid("'%' routing (user%host@domain) is not accepted");
      }
      if (local.indexOf('!') >= 0) {
        throw new Invalid("'!' bang paths are not accepted");
      }
      if (local.indexOf('@') >= 0) {
        throw new Invalid("more than one @ in the address");
      }
      if (!DOT_ATOM.matcher(local).matches()) {
        throw new Invalid("local part is not valid: " + printable(local));
      }
    }
    if (local.length() > 64) {
      throw new Invalid("local part longer than 64 characters");
    }
    return new MailAddress(local, domain(domain));
  }

  /** A domain name in A-label form, lower case; no address literals. */
  static String domain(String text) throws Invalid {
    if (text.startsWith("[")) {
      throw new Invalid("address literals ([1.2.3.4]) are not accepted; use a domain name");
    }
    String ascii;
    try {
      ascii = IDN.toASCII(text, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      throw new Invalid("domain is not valid: " + printable(text));
    }
    if (ascii.endsWith(".")) {
      throw new Invalid("domain must not end with a dot: " + printable(text));
    }
    String[] labels = ascii.split("\\.", -1);
    if (labels.length < 2) {
      throw new Invalid("domain must have at least two labels: " + printable(text));
    }
    for (String l : labels) {
      if (!LABEL.matcher(l).matches()) {
        throw new Invalid("domain is not valid: " + printable(text));
      }
    }
    return ascii;
  }

  /** Text safe to echo in a reply: printable ASCII only, at most 100 characters. */
  public static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 100; i++) {
      char c = s.charAt(i);
      sb.append(c >= 32 && c < 127 ? c : '?');
    }
    return sb.toString();
  }

  /** The domain of {@code text} if it parses. */
  static Optional<MailAddress> tryParse(String text) {
    try {
      return Optional.of(parse(text));
    } catch (Invalid e) {
      return Optional.empty();
    }
  }
}
