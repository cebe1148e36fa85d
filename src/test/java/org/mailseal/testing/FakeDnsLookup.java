// SPDX-License-Identifier: Apache-2.0
package org.mailseal.testing;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.TxtRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * A {@link DnsLookup} answering from records the test adds; names marked with {@link
 * #servfail(String)} throw a temporary failure. Counts every question so tests can assert how many
 * lookups a check cost. Safe to change from a test while a scheduler thread asks.
 */
public final class FakeDnsLookup implements DnsLookup {
  private final Map<Name, List<TxtRecord>> txt = new HashMap<>();
  private final Map<Name, List<InetAddress>> a = new HashMap<>();
  private final Map<Name, List<InetAddress>> aaaa = new HashMap<>();
  private final Map<Name, List<MxRecord>> mx = new HashMap<>();
  private final Map<Name, List<Name>> ptr = new HashMap<>();
  private final Map<Name, List<Name>> ns = new HashMap<>();
  private final Set<Name> servfail = new HashSet<>();
  private int queries;

  public static Name name(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public synchronized FakeDnsLookup txt(String name, String... strings) {
    txt.computeIfAbsent(name(name), k -> new ArrayList<>()).add(TxtRecord.of(strings));
    return this;
  }

  public synchronized FakeDnsLookup a(String name, String address) {
    a.computeIfAbsent(name(name), k -> new ArrayList<>()).add(address(address));
    return this;
  }

  public synchronized FakeDnsLookup aaaa(String name, String address) {
    aaaa.computeIfAbsent(name(name), k -> new ArrayList<>()).add(address(address));
    return this;
  }

  public synchronized FakeDnsLookup mx(String name, int preference, String exchange) {
    mx.computeIfAbsent(name(name), k -> new ArrayList<>())
        .add(new MxRecord(preference, name(exchange)));
    return this;
  }

  public synchronized FakeDnsLookup ptr(String name, String target) {
    ptr.computeIfAbsent(name(name), k -> new ArrayList<>()).add(name(target));
    return this;
  }

  public synchronized FakeDnsLookup ns(String name, String target) {
    ns.computeIfAbsent(name(name), k -> new ArrayList<>()).add(name(target));
    return this;
  }

  /** Makes every question about {@code name} fail with SERVFAIL. */
  public synchronized FakeDnsLookup servfail(String name) {
    servfail.add(name(name));
    return this;
  }

  /** Removes every record of every type at {@code name}. */
  public synchronized FakeDnsLookup clear(String name) {
    Name n = name(name);
    txt.remove(n);
    a.remove(n);
    aaaa.remove(n);
    mx.remove(n);
    ptr.remove(n);
    ns.remove(n);
    servfail.remove(n);
    return this;
  }

  /** How many questions were asked so far. */
  public synchronized int queries() {
    return queries;
  }

  @Override
  public List<TxtRecord> txt(Name name) throws DnsLookupException {
    return answer(txt, name);
  }

  @Override
  public List<InetAddress> a(Name name) throws DnsLookupException {
    return answer(a, name);
  }

  @Override
  public List<InetAddress> aaaa(Name name) throws DnsLookupException {
    return answer(aaaa, name);
  }

  @Override
  public List<MxRecord> mx(Name name) throws DnsLookupException {
    return answer(mx, name);
  }

  @Override
  public List<Name> ptr(Name name) throws DnsLookupException {
    return answer(ptr, name);
  }

  @Override
  public List<Name> ns(Name name) throws DnsLookupException {
    return answer(ns, name);
  }

  private synchronized <T> List<T> answer(Map<Name, List<T>> table, Name name)
      throws DnsLookupException {
    queries++;
    if (servfail.contains(name)) {
      throw new DnsLookupException.Temporary(name.toString(), "SERVFAIL for " + name, null);
    }
    return List.copyOf(table.getOrDefault(name, List.of()));
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("not an address literal: " + literal, e);
    }
  }
}
