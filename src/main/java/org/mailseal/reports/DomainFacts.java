// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.mailseal.config.MailsealConfig;
import org.mailseal.keys.DkimKey;

/**
 * What mailseal knows of one of its domains, to read its reports with.
 *
 * @param domain the domain, lower case
 * @param adkim the domain's DKIM alignment mode
 * @param aspf the domain's SPF alignment mode
 * @param ownSelectors the selectors of mailseal's own keys for the domain (every state: a retired
 *     key still verifies mail signed before it retired)
 * @param egress the relay's own outgoing addresses, as {@link InetAddress#getHostAddress()} gives
 *     them
 * @param ramp when the next step is safe
 */
public record DomainFacts(
    String domain,
    Alignment adkim,
    Alignment aspf,
    Set<String> ownSelectors,
    Set<String> egress,
    RampPolicy ramp) {

  public DomainFacts {
    domain = domain.strip().toLowerCase(Locale.ROOT);
    Objects.requireNonNull(adkim, "adkim");
    Objects.requireNonNull(aspf, "aspf");
    ownSelectors = Set.copyOf(ownSelectors);
    Set<String> normal = new LinkedHashSet<>();
    for (String e : egress) {
      normal.add(address(e));
    }
    egress = Set.copyOf(normal);
    Objects.requireNonNull(ramp, "ramp");
  }

  /**
   * The facts of {@code domain} from the configuration (alignment, ramp thresholds, the relay's
   * egress addresses) and the key store (selectors). A domain not configured gets relaxed alignment
   * and the default ramp.
   */
  public static DomainFacts of(String domain, MailsealConfig config, List<DkimKey> keys) {
    Set<String> selectors = new LinkedHashSet<>();
    for (DkimKey k : keys) {
      if (k.domain().equals(domain)) {
        selectors.add(k.selector().value());
      }
    }
    Set<String> egress = new LinkedHashSet<>(config.delivery().mx().egressIpv4());
    egress.addAll(config.delivery().mx().egressIpv6());
    return config
        .domain(domain)
        .map(
            d ->
                new DomainFacts(
                    domain,
                    Alignment.valueOf(d.dmarc().adkim().name()),
                    Alignment.valueOf(d.dmarc().aspf().name()),
                    selectors,
                    egress,
                    ramp(d.dmarc().ramp())))
        .orElse(
            new DomainFacts(
                domain,
                Alignment.RELAXED,
                Alignment.RELAXED,
                selectors,
                egress,
                RampPolicy.DEFAULT));
  }

  /** The thresholds of the configuration, as the ramp reads them. */
  public static RampPolicy ramp(MailsealConfig.Ramp r) {
    return new RampPolicy(
        r.alignedPercent() / 100.0,
        days(r.quarantineAfter()),
        days(r.dropTestAfter()),
        days(r.rejectAfter()),
        RampPolicy.DEFAULT.staleAfterDays());
  }

  private static int days(java.time.Duration d) {
    return (int) Math.max(1, Math.min(3650, d.toDays()));
  }

  private static String address(String ip) {
    String t = ip.strip();
    if (!t.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("DomainFacts: not an IP address: " + ip);
    }
    try {
      return InetAddress.getByName(t).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("DomainFacts: not an IP address: " + ip, e);
    }
  }
}
