// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A parsed SPF record (RFC 7208 §4.6, §12): its mechanisms in order and its modifiers. {@link
 * #parse(String)} refuses anything the grammar does not allow, naming the term.
 */
public record SpfRecord(String text, List<Mechanism> mechanisms, List<Modifier> modifiers) {

  public SpfRecord {
    mechanisms = List.copyOf(mechanisms);
    modifiers = List.copyOf(modifiers);
  }

  /** The mechanism names that cost a DNS lookup (RFC 7208 §4.6.4). */
  static final List<String> LOOKUP_MECHANISMS = List.of("include", "a", "mx", "ptr", "exists");

  /**
   * One mechanism.
   *
   * @param qualifier {@code +}, {@code -}, {@code ~} or {@code ?}
   * @param name all, include, a, mx, ptr, ip4, ip6 or exists
   * @param domainSpec the target (a macro-string), empty when absent
   * @param cidr4 IPv4 prefix length, -1 when absent
   * @param cidr6 IPv6 prefix length, -1 when absent
   */
  public record Mechanism(String qualifier, String name, String domainSpec, int cidr4, int cidr6) {
    /** Whether evaluating it asks DNS. */
    public boolean costsLookup() {
      return LOOKUP_MECHANISMS.contains(name);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      if (!qualifier.equals("+")) {
        sb.append(qualifier);
      }
      sb.append(name);
      if (!domainSpec.isEmpty()) {
        sb.append(':').append(domainSpec);
      }
      if (cidr4 >= 0 && !name.equals("ip4")) {
        sb.append('/').append(cidr4);
      }
      if (cidr6 >= 0) {
        sb.append(name.equals("ip6") ? "/" : "//").append(cidr6);
      }
      if (name.equals("ip4") && cidr4 >= 0) {
        sb.append('/').append(cidr4);
      }
      return sb.toString();
    }
  }

  /** A modifier such as {@code redirect=} or {@code exp=}. */
  public record Modifier(String name, String value) {}

  /** The {@code redirect=} target, if any. */
  public Optional<String> redirect() {
    return modifiers.stream()
        .filter(m -> m.name().equals("redirect"))
        .map(Modifier::value)
        .findFirst();
  }

  /** The {@code all} mechanism, if any. */
  public Optional<Mechanism> all() {
    return mechanisms.stream().filter(m -> m.name().equals("all")).findFirst();
  }

  /**
   * Whether {@code text} is an SPF record at all: starts with {@code v=spf1} and a space or end.
   */
  public static boolean isSpf(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    return t.equals("v=spf1") || t.startsWith("v=spf1 ");
  }

  /**
   * Parses a record.
   *
   * @throws SpfException.Syntax naming the term that is wrong
   */
  public static SpfRecord parse(String text) throws SpfException.Syntax {
    if (!isSpf(text)) {
      throw new SpfException.Syntax(text, "record does not start with v=spf1");
    }
    List<Mechanism> mechanisms = new ArrayList<>();
    List<Modifier> modifiers = new ArrayList<>();
    String[] terms = text.strip().substring(6).strip().split(" +");
    for (String term : terms) {
      if (term.isEmpty()) {
        continue;
      }
      int eq = term.indexOf('=');
      int colon = term.indexOf(':');
      int slash = term.indexOf('/');
      boolean modifier = eq > 0 && (colon < 0 || eq < colon) && (slash < 0 || eq < slash);
      if (modifier) {
        String name = term.substring(0, eq).toLowerCase(Locale.ROOT);
        if (!name.matches("[a-z][a-z0-9_.-]*")) {
          throw new SpfException.Syntax(term, "bad modifier name");
        }
        String value = term.substring(eq + 1);
        if ((name.equals("redirect") || name.equals("exp"))
            && modifiers.stream().anyMatch(m -> m.name().equals(name))) {
          throw new SpfException.Syntax(term, name + "= given twice");
        }
        if ((name.equals("redirect") || name.equals("exp")) && value.isEmpty()) {
          throw new SpfException.Syntax(term, name + "= needs a domain");
        }
        checkMacroString(term, value);
        modifiers.add(new Modifier(name, value));
        continue;
      }
      mechanisms.add(mechanism(term));
    }
    return new SpfRecord(text.strip(), mechanisms, modifiers);
  }

  private static Mechanism mechanism(String term) throws SpfException.Syntax {
    String t = term;
    String qualifier = "+";
    if ("+-~?".indexOf(t.charAt(0)) >= 0) {
      qualifier = t.substring(0, 1);
      t = t.substring(1);
    }
    int end = 0;
    while (end < t.length() && Character.isLetterOrDigit(t.charAt(end))) {
      end++;
    }
    String name = t.substring(0, end).toLowerCase(Locale.ROOT);
    String rest = t.substring(end);
    switch (name) {
      case "all":
        if (!rest.isEmpty()) {
          throw new SpfException.Syntax(term, "all takes no argument");
        }
        return new Mechanism(qualifier, name, "", -1, -1);
      case "include":
      case "exists":
        if (!rest.startsWith(":") || rest.length() < 2) {
          throw new SpfException.Syntax(term, name + " needs a domain: " + name + ":example.com");
        }
        checkMacroString(term, rest.substring(1));
        return new Mechanism(qualifier, name, rest.substring(1), -1, -1);
      case "a":
      case "mx":
      case "ptr":
        {
          String spec = "";
          int c4 = -1;
          int c6 = -1;
          if (rest.startsWith(":")) {
            int s = rest.indexOf('/');
            spec = s < 0 ? rest.substring(1) : rest.substring(1, s);
            rest = s < 0 ? "" : rest.substring(s);
            if (spec.isEmpty()) {
              throw new SpfException.Syntax(term, "empty domain after ':'");
            }
            checkMacroString(term, spec);
          }
          if (!rest.isEmpty()) {
            if (name.equals("ptr")) {
              throw new SpfException.Syntax(term, "ptr takes no prefix length");
            }
            int dual = rest.indexOf("//");
            String v4 = dual < 0 ? rest : rest.substring(0, dual);
            String v6 = dual < 0 ? "" : rest.substring(dual + 1);
            if (!v4.isEmpty()) {
              c4 = prefix(term, v4, 32);
            }
            if (!v6.isEmpty()) {
              c6 = prefix(term, v6, 128);
            }
          }
          return new Mechanism(qualifier, name, spec, c4, c6);
        }
      case "ip4":
      case "ip6":
        {
          if (!rest.startsWith(":")) {
            throw new SpfException.Syntax(
                term, name + " needs an address: " + name + ":192.0.2.0/24");
          }
          String value = rest.substring(1);
          int s = value.indexOf('/');
          String ip = s < 0 ? value : value.substring(0, s);
          boolean six = name.equals("ip6");
          if (!IpNetwork.isLiteral(ip, six)) {
            throw new SpfException.Syntax(term, "not an " + (six ? "IPv6" : "IPv4") + " address");
          }
          int bits = s < 0 ? -1 : prefix(term, value.substring(s), six ? 128 : 32);
          return six
              ? new Mechanism(qualifier, name, ip, -1, bits)
              : new Mechanism(qualifier, name, ip, bits, -1);
        }
      default:
        throw new SpfException.Syntax(term, "unknown mechanism");
    }
  }

  private static int prefix(String term, String slashDigits, int max) throws SpfException.Syntax {
    try {
      int bits = Integer.parseInt(slashDigits.substring(1));
      if (bits < 0 || bits > max || slashDigits.length() > 4 || slashDigits.charAt(1) == '+') {
        throw new NumberFormatException();
      }
      return bits;
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new SpfException.Syntax(term, "bad prefix length " + slashDigits);
    }
  }

  private static void checkMacroString(String term, String value) throws SpfException.Syntax {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new SpfException.Syntax(term, "invalid character");
      }
      if (c == '%') {
        if (i + 1 >= value.length()) {
          throw new SpfException.Syntax(term, "'%' at the end");
        }
        char n = value.charAt(i + 1);
        if (n == '%' || n == '_' || n == '-') {
          i++;
        } else if (n == '{') {
          int close = value.indexOf('}', i);
          if (close < 0
              || !value.substring(i + 2, close).matches("(?i)[slodiphcrtv][0-9]*r?[-.+,/_=]*")) {
            throw new SpfException.Syntax(term, "bad macro");
          }
          i = close;
        } else {
          throw new SpfException.Syntax(term, "'%' must be followed by %, _, - or {");
        }
      }
    }
  }
}
