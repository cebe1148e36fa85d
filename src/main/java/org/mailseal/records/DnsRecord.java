// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.util.Objects;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.TxtRecord;
import org.xbill.DNS.Name;

/**
 * One record a domain should publish: a TXT record, what it is for, and a comment for operators
 * that is built from the same data (so it cannot drift from the record).
 *
 * @param name the owner name, absolute
 * @param kind what the record does
 * @param ttl time to live in seconds
 * @param txt the record's character-strings
 * @param comment one line for operators, without the leading {@code ;}
 */
public record DnsRecord(Name name, Kind kind, long ttl, TxtRecord txt, String comment) {

  /** What a record is for. */
  public enum Kind {
    /** A DKIM public key of a PENDING, ACTIVE or RETIRED key. */
    DKIM_KEY,
    /** The empty-{@code p=} record of a revoked key. */
    DKIM_REVOCATION,
    /** The domain's SPF policy (RFC 7208). */
    SPF,
    /** The domain's DMARC policy (RFC 9989). */
    DMARC,
    /** A null MX ({@code MX 0 .}, RFC 7505): the domain accepts no mail. Its value is "0 .". */
    NULL_MX
  }

  public DnsRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(txt, "txt");
    Objects.requireNonNull(comment, "comment");
    if (!name.isAbsolute()) {
      throw new IllegalArgumentException("DnsRecord: name must be absolute: " + name);
    }
    if (ttl < 0 || ttl > 0x7fffffffL) {
      throw new IllegalArgumentException("DnsRecord: ttl out of range: " + ttl);
    }
    if (comment.contains("\n")) {
      throw new IllegalArgumentException("DnsRecord: comment must be one line");
    }
  }

  /** A record with {@code value} split into strings of at most 255 bytes. */
  public static DnsRecord of(String name, Kind kind, long ttl, String value, String comment) {
    return new DnsRecord(DnsLookup.absolute(name), kind, ttl, TxtRecord.split(value), comment);
  }

  /** The record's value: its strings concatenated. */
  public String value() {
    return txt.text();
  }

  /** The DNS type: MX for a null MX, TXT for every other record. */
  public String type() {
    return kind == Kind.NULL_MX ? "MX" : "TXT";
  }

  /** The record data as a zone file writes it: quoted strings for TXT, {@code 0 .} for MX. */
  public String rdata() {
    return kind == Kind.NULL_MX ? value() : txt.zoneText();
  }
}
