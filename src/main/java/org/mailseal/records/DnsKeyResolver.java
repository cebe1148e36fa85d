// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.util.ArrayList;
import java.util.List;
import org.mailseal.dkim.KeyResolver;
import org.mailseal.dkim.KeyResolverException;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.TxtRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Finds DKIM key records in DNS: the TXT records at {@code selector._domainkey.domain}. */
public final class DnsKeyResolver implements KeyResolver {
  private final DnsLookup lookup;

  public DnsKeyResolver(DnsLookup lookup) {
    this.lookup = lookup;
  }

  @Override
  public List<String> resolve(String domain, String selector) throws KeyResolverException {
    Name name;
    try {
      name = Name.fromString(selector + "._domainkey." + domain + ".");
    } catch (TextParseException e) {
      throw new KeyResolverException(
          "not a DNS name: " + selector + "._domainkey." + domain, false, e);
    }
    try {
      List<String> out = new ArrayList<>();
      for (TxtRecord r : lookup.txt(name)) {
        out.add(r.text());
      }
      return out;
    } catch (DnsLookupException e) {
      throw new KeyResolverException(e.getMessage(), e.isTemporary(), e);
    }
  }
}
