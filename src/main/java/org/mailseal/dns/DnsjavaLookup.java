// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * {@link DnsLookup} over dnsjava: asks one resolver (the system's, or a given server) and reads the
 * answer section. dnsjava's {@code SimpleResolver} retries over TCP when an answer is truncated, so
 * long DKIM records arrive whole. Nothing is cached here: a check must see what DNS shows now.
 */
public final class DnsjavaLookup implements DnsLookup {
  /** How long one question may take before it counts as a temporary failure. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final Resolver resolver;
  private final String description;

  /** A lookup through {@code resolver}; {@code description} names it in errors. */
  public DnsjavaLookup(Resolver resolver, String description) {
    this.resolver = resolver;
    this.description = description;
  }

  /** Asks the resolvers of the system configuration ({@code /etc/resolv.conf}). */
  public static DnsjavaLookup system() {
    ExtendedResolver resolver = new ExtendedResolver();
    resolver.setTimeout(DEFAULT_TIMEOUT);
    return new DnsjavaLookup(resolver, "system resolver");
  }

  /**
   * Asks one server, given as {@code HOST}, {@code HOST:PORT}, {@code [V6]:PORT} or a bare IPv6
   * literal; the port defaults to 53.
   *
   * @throws IllegalArgumentException when the text is not a server address
   */
  public static DnsjavaLookup server(String hostAndPort) {
    InetSocketAddress address = parseServer(hostAndPort);
    SimpleResolver resolver = new SimpleResolver(address);
    resolver.setTimeout(DEFAULT_TIMEOUT);
    return new DnsjavaLookup(resolver, "server " + hostAndPort);
  }

  /** Asks the server at {@code address}. */
  public static DnsjavaLookup server(InetSocketAddress address) {
    SimpleResolver resolver = new SimpleResolver(address);
    resolver.setTimeout(DEFAULT_TIMEOUT);
    return new DnsjavaLookup(resolver, "server " + address);
  }

  static InetSocketAddress parseServer(String text) {
    String host = text.strip();
    int port = 53;
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("bad DNS server address: " + text);
      }
      String rest = host.substring(close + 1);
      host = host.substring(1, close);
      if (rest.startsWith(":")) {
        port = parsePort(rest.substring(1), text);
      } else if (!rest.isEmpty()) {
        throw new IllegalArgumentException("bad DNS server address: " + text);
      }
    } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
      port = parsePort(host.substring(host.indexOf(':') + 1), text);
      host = host.substring(0, host.indexOf(':'));
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("bad DNS server address: " + text);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown DNS server host: " + host, e);
    }
  }

  private static int parsePort(String port, String text) {
    try {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in DNS server address: " + text, e);
    }
  }

  @Override
  public List<TxtRecord> txt(Name name) throws DnsLookupException {
    return query(
        name,
        Type.TXT,
        r -> {
          List<String> strings = new ArrayList<>();
          for (byte[] s : ((TXTRecord) r).getStringsAsByteArrays()) {
            strings.add(new String(s, StandardCharsets.ISO_8859_1));
          }
          return new TxtRecord(strings);
        });
  }

  @Override
  public List<InetAddress> a(Name name) throws DnsLookupException {
    return query(name, Type.A, r -> ((ARecord) r).getAddress());
  }

  @Override
  public List<InetAddress> aaaa(Name name) throws DnsLookupException {
    return query(name, Type.AAAA, r -> ((AAAARecord) r).getAddress());
  }

  @Override
  public List<MxRecord> mx(Name name) throws DnsLookupException {
    return query(
        name, Type.MX, r -> new MxRecord(((MXRecord) r).getPriority(), ((MXRecord) r).getTarget()));
  }

  @Override
  public List<Name> ptr(Name name) throws DnsLookupException {
    return query(name, Type.PTR, r -> ((PTRRecord) r).getTarget());
  }

  @Override
  public List<Name> ns(Name name) throws DnsLookupException {
    return query(name, Type.NS, r -> ((NSRecord) r).getTarget());
  }

  private <T> List<T> query(Name name, int type, Function<Record, T> map)
      throws DnsLookupException {
    Message response;
    try {
      response = resolver.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
    } catch (IOException e) {
      throw new DnsLookupException.Temporary(
          name.toString(), Type.string(type) + " " + name + ": no answer from " + description, e);
    }
    int rcode = response.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return List.of();
    }
    if (rcode == Rcode.SERVFAIL) {
      throw new DnsLookupException.Temporary(
          name.toString(), Type.string(type) + " " + name + ": SERVFAIL from " + description, null);
    }
    if (rcode != Rcode.NOERROR) {
      throw new DnsLookupException.Permanent(
          name.toString(),
          Type.string(type) + " " + name + ": " + Rcode.string(rcode) + " from " + description,
          null);
    }
    List<T> out = new ArrayList<>();
    for (Record r : response.getSection(Section.ANSWER)) {
      // A recursive answer may carry a CNAME chain first; keep only the asked type.
      if (r.getType() == type) {
        out.add(map.apply(r));
      }
    }
    return List.copyOf(out);
  }
}
