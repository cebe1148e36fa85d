// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyState;

/**
 * What a domain should publish now, in a stable order: the DKIM record of every PENDING, ACTIVE and
 * RETIRED key, the empty-{@code p=} record of keys revoked within {@link #SHOW_REVOKED_FOR}, then
 * SPF and DMARC.
 */
public final class RecordPlan {
  /** TTL of the records mailseal prints: short enough that a correction spreads within an hour. */
  public static final long TTL = 3600;

  /** How long after revocation the empty-{@code p=} record is still listed. */
  public static final Duration SHOW_REVOKED_FOR = Duration.ofDays(30);

  private RecordPlan() {}

  /**
   * The records of a parked domain, one that sends no mail: SPF that allows no host, DMARC that
   * asks receivers to reject (with {@code rua} when reports are wanted), a null MX (RFC 7505) and
   * an empty key for every selector, so that nothing claiming to be it verifies.
   */
  public static List<DnsRecord> parked(String domain, List<String> rua) {
    String dmarc = "v=DMARC1; p=reject" + (rua.isEmpty() ? "" : "; rua=" + String.join(",", rua));
    return List.of(
        DnsRecord.of(
            domain,
            DnsRecord.Kind.SPF,
            TTL,
            "v=spf1 -all",
            "SPF for " + domain + ", parked: no host may send its mail"),
        DnsRecord.of(
            "_dmarc." + domain,
            DnsRecord.Kind.DMARC,
            TTL,
            dmarc,
            "DMARC for " + domain + ", parked: receivers reject mail claiming to be from it"),
        DnsRecord.of(
            domain,
            DnsRecord.Kind.NULL_MX,
            TTL,
            "0 .",
            "null MX for " + domain + " (RFC 7505), parked: it accepts no mail"),
        DnsRecord.of(
            "*._domainkey." + domain,
            DnsRecord.Kind.DKIM_REVOCATION,
            TTL,
            "v=DKIM1; p=",
            "DKIM for " + domain + ", parked: an empty key at every selector"));
  }

  /**
   * The records of {@code domain}; {@code spf} and {@code dmarc} are record values (such as {@code
   * v=spf1 include:_spf.google.com ~all}) when the domain has them configured.
   */
  public static List<DnsRecord> forDomain(
      String domain,
      List<DkimKey> keys,
      Optional<String> spf,
      Optional<String> dmarc,
      Instant now) {
    List<DnsRecord> out = new ArrayList<>();
    for (KeyState state : List.of(KeyState.ACTIVE, KeyState.PENDING, KeyState.RETIRED)) {
      for (DkimKey k : keys) {
        if (k.state() == state) {
          out.add(
              DnsRecord.of(
                  k.recordName(), DnsRecord.Kind.DKIM_KEY, TTL, k.record().render(), comment(k)));
        }
      }
    }
    for (DkimKey k : keys) {
      if (k.state() == KeyState.REVOKED
          && k.revoked().map(t -> t.plus(SHOW_REVOKED_FOR).isAfter(now)).orElse(false)) {
        out.add(
            DnsRecord.of(
                k.recordName(),
                DnsRecord.Kind.DKIM_REVOCATION,
                TTL,
                DkimKeyRecord.revoked(k.algorithm().tag()).render(),
                "DKIM "
                    + k.algorithm().tag()
                    + " key "
                    + k.selector()
                    + " REVOKED on "
                    + day(k.revoked().orElseThrow())
                    + ": remove this record, or publish it with the empty p= shown"));
      }
    }
    spf.ifPresent(
        v ->
            out.add(
                DnsRecord.of(
                    domain,
                    DnsRecord.Kind.SPF,
                    TTL,
                    v,
                    "SPF for "
                        + domain
                        + ": the hosts allowed to send its mail, ending "
                        + stance(v))));
    dmarc.ifPresent(
        v ->
            out.add(
                DnsRecord.of(
                    "_dmarc." + domain,
                    DnsRecord.Kind.DMARC,
                    TTL,
                    v,
                    "DMARC policy of " + domain + ": what receivers do with mail that fails")));
    return out;
  }

  static String comment(DkimKey k) {
    String what = "DKIM " + k.algorithm().tag() + " key " + k.selector() + ", ";
    switch (k.state()) {
      case ACTIVE:
        return what + "ACTIVE since " + day(k.activated().orElse(k.created())) + ": signs mail now";
      case PENDING:
        return what + "PENDING since " + day(k.created()) + ": publish before it starts signing";
      case RETIRED:
        return what
            + "RETIRED since "
            + day(k.retired().orElse(k.created()))
            + ": keep it so mail already signed still verifies";
      default:
        return what + k.state();
    }
  }

  private static String stance(String spf) {
    String v = spf.strip();
    return v.endsWith("-all")
        ? "-all (others fail)"
        : v.endsWith("~all")
            ? "~all (others soft-fail)"
            : v.endsWith("?all") ? "?all (others neutral)" : "without an all mechanism";
  }

  private static LocalDate day(Instant t) {
    return t.atOffset(ZoneOffset.UTC).toLocalDate();
  }
}
