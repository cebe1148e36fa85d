// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.net.InetAddress;
import java.util.List;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.TxtRecord;
import org.xbill.DNS.Name;

/**
 * A lookup that remembers whether DNS could not be reached (a temporary failure: timeout, SERVFAIL,
 * network), so a check command can exit {@link CliException#UNAVAILABLE} instead of {@link
 * CliException#CHECK_FAILED} when its problem was the DNS server, not the records.
 */
final class WatchedLookup implements DnsLookup {
  private final DnsLookup delegate;
  private volatile boolean unreachable;

  WatchedLookup(DnsLookup delegate) {
    this.delegate = delegate;
  }

  /** Whether any question so far went unanswered for a temporary reason. */
  boolean unreachable() {
    return unreachable;
  }

  /** The exit status of a check: 0 when {@code ok}, else 3 if DNS was unreachable, else 1. */
  int exitCode(boolean ok) {
    return ok ? 0 : unreachable ? CliException.UNAVAILABLE : CliException.CHECK_FAILED;
  }

  private interface Question<T> {
    T ask() throws DnsLookupException;
  }

  private <T> T watch(Question<T> q) throws DnsLookupException {
    try {
      return q.ask();
    } catch (DnsLookupException e) {
      if (e.isTemporary()) {
        unreachable = true;
      }
      throw e;
    }
  }

  @Override
  public List<TxtRecord> txt(Name name) throws DnsLookupException {
    return watch(() -> delegate.txt(name));
  }

  @Override
  public List<InetAddress> a(Name name) throws DnsLookupException {
    return watch(() -> delegate.a(name));
  }

  @Override
  public List<InetAddress> aaaa(Name name) throws DnsLookupException {
    return watch(() -> delegate.aaaa(name));
  }

  @Override
  public List<MxRecord> mx(Name name) throws DnsLookupException {
    return watch(() -> delegate.mx(name));
  }

  @Override
  public List<Name> ptr(Name name) throws DnsLookupException {
    return watch(() -> delegate.ptr(name));
  }

  @Override
  public List<Name> ns(Name name) throws DnsLookupException {
    return watch(() -> delegate.ns(name));
  }
}
