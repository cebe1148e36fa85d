// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dns;

import java.net.InetAddress;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The one way mailseal asks DNS anything. Production code uses {@code DnsjavaLookup}; tests use
 * {@code FakeDnsLookup} or a real server on loopback.
 *
 * <p>Every method returns an empty list both for NXDOMAIN and for a name with no records of that
 * type (what RFC 7208 §4.6.4 counts as a "void lookup"); it throws {@link DnsLookupException} only
 * when no answer could be had (SERVFAIL, timeout, REFUSED).
 */
public interface DnsLookup {

  /**
   * {@code name} as an absolute DNS name (a trailing dot added when missing).
   *
   * @throws IllegalArgumentException when it is not a valid DNS name
   */
  static Name absolute(String name) {
    try {
      return Name.fromString(name.endsWith(".") ? name : name + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("not a DNS name: " + name, e);
    }
  }

  /** TXT records at {@code name}, each with its character-strings in wire order. */
  List<TxtRecord> txt(Name name) throws DnsLookupException;

  /** IPv4 addresses (A records) of {@code name}. */
  List<InetAddress> a(Name name) throws DnsLookupException;

  /** IPv6 addresses (AAAA records) of {@code name}. */
  List<InetAddress> aaaa(Name name) throws DnsLookupException;

  /** MX records of {@code name}, in the order the server gave them (callers sort by preference). */
  List<MxRecord> mx(Name name) throws DnsLookupException;

  /** PTR targets of {@code name} (a name under {@code in-addr.arpa.} or {@code ip6.arpa.}). */
  List<Name> ptr(Name name) throws DnsLookupException;

  /** NS targets of {@code name}. */
  List<Name> ns(Name name) throws DnsLookupException;

  /** One MX record: preference (lower is tried first) and exchange host. */
  record MxRecord(int preference, Name exchange) {
    public MxRecord {
      if (preference < 0 || preference > 65535) {
        throw new IllegalArgumentException("MX preference out of range: " + preference);
      }
      java.util.Objects.requireNonNull(exchange, "exchange");
    }
  }
}
