// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.TxtRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.ReverseMap;

/**
 * RFC 7208 {@code check_host()}: what a receiver concludes about mail from {@code ip} for a domain,
 * with the limits of §4.6.4 (10 DNS-querying terms, 2 void lookups, 10 names per mx or ptr) and
 * loop detection, and the chain of records that decided it.
 */
public final class SpfEvaluator {
  /** Most DNS-querying terms one evaluation may use (RFC 7208 §4.6.4). */
  public static final int MAX_LOOKUPS = 10;

  /** Most lookups that may return nothing (RFC 7208 §4.6.4). */
  public static final int MAX_VOID_LOOKUPS = 2;

  private final DnsLookup dns;
  private final Clock clock;

  public SpfEvaluator(DnsLookup dns, Clock clock) {
    this.dns = dns;
    this.clock = clock;
  }

  /** The outcome: a result and the lines explaining how it was reached. */
  public record Result(String result, List<String> chain, int lookups, int voidLookups) {
    public Result {
      chain = List.copyOf(chain);
    }
  }

  /** A result that ends evaluation at once (permerror, temperror). */
  private static final class Stop extends Exception {
    private static final long serialVersionUID = 1L;
    final String result;

    Stop(String result, String reason) {
      super(reason, null, false, false);
      this.result = result;
    }
  }

  private final class Run {
    final InetAddress ip;
    final String sender;
    final List<String> chain = new ArrayList<>();
    final Deque<String> stack = new ArrayDeque<>();
    int lookups;
    int voids;

    Run(InetAddress ip, String sender) {
      this.ip = ip;
      this.sender = sender;
    }

    void count(String term) throws Stop {
      if (++lookups > MAX_LOOKUPS) {
        throw new Stop(
            "permerror",
            "more than " + MAX_LOOKUPS + " DNS lookups (at " + term + "; RFC 7208 §4.6.4)");
      }
    }

    <T> List<T> voidChecked(List<T> answer, String what) throws Stop {
      if (answer.isEmpty() && ++voids > MAX_VOID_LOOKUPS) {
        throw new Stop(
            "permerror",
            "more than " + MAX_VOID_LOOKUPS + " void lookups (at " + what + "; RFC 7208 §4.6.4)");
      }
      return answer;
    }
  }

  /**
   * Evaluates {@code domain}'s policy for mail from {@code ip} with envelope sender {@code sender}.
   */
  public Result checkHost(InetAddress ip, String domain, String sender) {
    Run run = new Run(ip, sender.isEmpty() ? "postmaster@" + domain : sender);
    String result;
    try {
      result = evaluate(run, domain.toLowerCase(Locale.ROOT), 0);
    } catch (Stop s) {
      run.chain.add(s.result + ": " + s.getMessage());
      result = s.result;
    }
    return new Result(result, run.chain, run.lookups, run.voids);
  }

  private String evaluate(Run run, String domain, int depth) throws Stop {
    String indent = "  ".repeat(depth);
    if (run.stack.contains(domain)) {
      throw new Stop("permerror", "loop: " + String.join(" -> ", run.stack) + " -> " + domain);
    }
    SpfRecord record = fetch(domain);
    if (record == null) {
      run.chain.add(indent + domain + ": no SPF record");
      return "none";
    }
    run.chain.add(indent + domain + ": " + record.text());
    run.stack.addLast(domain);
    try {
      for (SpfRecord.Mechanism m : record.mechanisms()) {
        if (matches(run, m, domain, depth)) {
          String r = qualifierResult(m.qualifier());
          run.chain.add(indent + "  matched " + m + " -> " + r);
          return r;
        }
      }
      if (record.redirect().isPresent()) {
        run.count("redirect=" + record.redirect().get());
        String target = expand(record.redirect().get(), run, domain);
        run.chain.add(indent + "  redirect=" + target);
        String r = evaluate(run, target, depth + 1);
        if (r.equals("none")) {
          throw new Stop("permerror", "redirect= target " + target + " has no SPF record");
        }
        return r;
      }
      run.chain.add(indent + "  nothing matched -> neutral");
      return "neutral";
    } finally {
      run.stack.removeLast();
    }
  }

  private boolean matches(Run run, SpfRecord.Mechanism m, String domain, int depth) throws Stop {
    String target = m.domainSpec().isEmpty() ? domain : expand(m.domainSpec(), run, domain);
    boolean six = run.ip instanceof Inet6Address;
    switch (m.name()) {
      case "all":
        return true;
      case "ip4":
      case "ip6":
        {
          InetAddress net = IpNetwork.literal(m.domainSpec());
          int bits =
              m.name().equals("ip4")
                  ? (m.cidr4() < 0 ? 32 : m.cidr4())
                  : (m.cidr6() < 0 ? 128 : m.cidr6());
          return IpNetwork.contains(net, bits, run.ip);
        }
      case "include":
        {
          run.count(m.toString());
          String r = evaluate(run, target, depth + 1);
          switch (r) {
            case "pass":
              return true;
            case "none":
              throw new Stop("permerror", "include:" + target + " has no SPF record");
            default:
              return false;
          }
        }
      case "a":
        run.count(m.toString());
        return anyContains(run.voidChecked(addresses(target, six), "a:" + target), m, run.ip);
      case "mx":
        {
          run.count(m.toString());
          List<DnsLookup.MxRecord> mx =
              run.voidChecked(lookup(() -> dns.mx(name(target))), "mx:" + target);
          if (mx.size() > 10) {
            throw new Stop("permerror", "mx:" + target + " has more than 10 MX records");
          }
          for (DnsLookup.MxRecord r : mx) {
            if (anyContains(addresses(r.exchange().toString(), six), m, run.ip)) {
              return true;
            }
          }
          return false;
        }
      case "ptr":
        {
          run.count(m.toString());
          List<Name> names = lookup(() -> dns.ptr(ReverseMap.fromAddress(run.ip)));
          for (Name n : names.subList(0, Math.min(10, names.size()))) {
            String host = n.toString(true).toLowerCase(Locale.ROOT);
            if ((host.equals(target) || host.endsWith("." + target))
                && addresses(host, six).contains(run.ip)) {
              return true;
            }
          }
          return false;
        }
      default: // exists
        run.count(m.toString());
        return !run.voidChecked(lookup(() -> dns.a(name(target))), "exists:" + target).isEmpty();
    }
  }

  private static boolean anyContains(
      List<InetAddress> addresses, SpfRecord.Mechanism m, InetAddress ip) {
    int bits =
        ip instanceof Inet6Address
            ? (m.cidr6() < 0 ? 128 : m.cidr6())
            : (m.cidr4() < 0 ? 32 : m.cidr4());
    for (InetAddress a : addresses) {
      if (IpNetwork.contains(a, bits, ip)) {
        return true;
      }
    }
    return false;
  }

  private List<InetAddress> addresses(String host, boolean six) throws Stop {
    return six ? lookup(() -> dns.aaaa(name(host))) : lookup(() -> dns.a(name(host)));
  }

  /** The one SPF record of {@code domain}, or null when it has none. */
  SpfRecord fetch(String domain) throws Stop {
    List<TxtRecord> txt = lookup(() -> dns.txt(name(domain)));
    List<String> spf = new ArrayList<>();
    for (TxtRecord t : txt) {
      if (SpfRecord.isSpf(t.text())) {
        spf.add(t.text());
      }
    }
    if (spf.isEmpty()) {
      return null;
    }
    if (spf.size() > 1) {
      throw new Stop("permerror", domain + " has " + spf.size() + " SPF records (RFC 7208 §4.5)");
    }
    try {
      return SpfRecord.parse(spf.get(0));
    } catch (SpfException.Syntax e) {
      throw new Stop("permerror", domain + ": " + e.getMessage());
    }
  }

  private interface Query<T> {
    List<T> ask() throws DnsLookupException;
  }

  private static <T> List<T> lookup(Query<T> q) throws Stop {
    try {
      return q.ask();
    } catch (DnsLookupException e) {
      throw new Stop("temperror", e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new Stop("permerror", e.getMessage());
    }
  }

  private static Name name(String domain) {
    return DnsLookup.absolute(domain);
  }

  private static String qualifierResult(String q) {
    switch (q) {
      case "-":
        return "fail";
      case "~":
        return "softfail";
      case "?":
        return "neutral";
      default:
        return "pass";
    }
  }

  /** RFC 7208 §7: expands the macros of a domain-spec. */
  String expand(String spec, Run run, String domain) {
    if (spec.indexOf('%') < 0) {
      return spec.toLowerCase(Locale.ROOT);
    }
    String sender = run.sender;
    int at = sender.lastIndexOf('@');
    String local = at <= 0 ? "postmaster" : sender.substring(0, at);
    String senderDomain = at < 0 ? sender : sender.substring(at + 1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < spec.length(); i++) {
      char c = spec.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      char n = spec.charAt(++i);
      if (n == '%') {
        out.append('%');
      } else if (n == '_') {
        out.append(' ');
      } else if (n == '-') {
        out.append("%20");
      } else {
        int close = spec.indexOf('}', i);
        String body = spec.substring(i + 1, close);
        i = close;
        char letter = Character.toLowerCase(body.charAt(0));
        String value;
        switch (letter) {
          case 's':
            value = sender;
            break;
          case 'l':
            value = local;
            break;
          case 'o':
            value = senderDomain;
            break;
          case 'd':
            value = domain;
            break;
          case 'i':
            value = dotted(run.ip);
            break;
          case 'v':
            value = run.ip instanceof Inet6Address ? "ip6" : "in-addr";
            break;
          case 'h':
            value = senderDomain;
            break;
          case 't':
            value = String.valueOf(clock.instant().getEpochSecond());
            break;
          case 'c':
            value = run.ip.getHostAddress();
            break;
          case 'r':
            value = "unknown";
            break;
          default: // p: the validated name needs extra lookups; RFC 7208 §7.3 allows "unknown"
            value = "unknown";
        }
        out.append(transform(value, body.substring(1)));
      }
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }

  private static String transform(String value, String spec) {
    int i = 0;
    while (i < spec.length() && Character.isDigit(spec.charAt(i))) {
      i++;
    }
    int keep = i == 0 ? -1 : Integer.parseInt(spec.substring(0, i));
    boolean reverse = i < spec.length() && Character.toLowerCase(spec.charAt(i)) == 'r';
    String delimiters = spec.substring(reverse ? i + 1 : i);
    if (delimiters.isEmpty()) {
      delimiters = ".";
    }
    List<String> parts =
        new ArrayList<>(
            Arrays.asList(value.split("[" + java.util.regex.Pattern.quote(delimiters) + "]", -1)));
    if (reverse) {
      Collections.reverse(parts);
    }
    if (keep >= 0 && keep < parts.size()) {
      parts = parts.subList(parts.size() - keep, parts.size());
    }
    return String.join(".", parts);
  }

  private static String dotted(InetAddress ip) {
    if (!(ip instanceof Inet6Address)) {
      return ip.getHostAddress();
    }
    StringBuilder sb = new StringBuilder();
    for (byte b : ip.getAddress()) {
      sb.append(Integer.toHexString((b >> 4) & 0xf))
          .append('.')
          .append(Integer.toHexString(b & 0xf))
          .append('.');
    }
    return sb.substring(0, sb.length() - 1);
  }
}
