// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mailseal.config.MailsealConfig;

/**
 * The SPF and DMARC records a domain should publish, made from its configuration: SPF from the
 * outbound route (a known smarthost's include, or the relay's own egress addresses for direct
 * delivery) plus the domain's own terms and stance; DMARC from its policy, with RFC 9989 tags only.
 */
public final class PublishedPolicies {
  /** Smarthosts whose operators publish an SPF record to include, by host name. */
  public static final Map<String, String> SMARTHOST_SPF =
      Map.of(
          "smtp.gmail.com", "_spf.google.com",
          "smtp-relay.gmail.com", "_spf.google.com",
          "smtp.googlemail.com", "_spf.google.com",
          "smtp.office365.com", "spf.protection.outlook.com",
          "smtp-mail.outlook.com", "spf.protection.outlook.com");

  private PublishedPolicies() {}

  public static String spf(MailsealConfig config, MailsealConfig.Domain domain) {
    List<String> terms = new ArrayList<>();
    MailsealConfig.Delivery d = config.delivery();
    if (d.route() == MailsealConfig.Route.SMARTHOST) {
      String include = SMARTHOST_SPF.get(d.smarthost().host().toLowerCase(Locale.ROOT));
      if (include != null) {
        terms.add("include:" + include);
      }
    } else if (d.route() == MailsealConfig.Route.MX) {
      d.mx().egressIpv4().forEach(ip -> terms.add("ip4:" + ip));
      d.mx().egressIpv6().forEach(ip -> terms.add("ip6:" + ip));
    }
    MailsealConfig.Spf spf = domain.spf();
    spf.ip4().forEach(ip -> add(terms, "ip4:" + ip));
    spf.ip6().forEach(ip -> add(terms, "ip6:" + ip));
    spf.include().forEach(i -> add(terms, "include:" + i));
    spf.extra().forEach(t -> add(terms, t));
    terms.add(spf.stance().all());
    return "v=spf1 " + String.join(" ", terms);
  }

  public static String dmarc(MailsealConfig.Domain domain) {
    MailsealConfig.Dmarc m = domain.dmarc();
    StringBuilder sb = new StringBuilder("v=DMARC1; p=").append(m.p().tag());
    m.sp().ifPresent(p -> sb.append("; sp=").append(p.tag()));
    m.np().ifPresent(p -> sb.append("; np=").append(p.tag()));
    if (m.testMode()) {
      sb.append("; t=y");
    }
    if (m.adkim() != MailsealConfig.Alignment.RELAXED) {
      sb.append("; adkim=").append(m.adkim().tag());
    }
    if (m.aspf() != MailsealConfig.Alignment.RELAXED) {
      sb.append("; aspf=").append(m.aspf().tag());
    }
    if (!"0".equals(m.fo())) {
      sb.append("; fo=").append(m.fo());
    }
    if (!m.rua().isEmpty()) {
      sb.append("; rua=").append(String.join(",", m.rua()));
    }
    if (!m.ruf().isEmpty()) {
      sb.append("; ruf=").append(String.join(",", m.ruf()));
    }
    return sb.toString();
  }

  private static void add(List<String> terms, String term) {
    if (!terms.contains(term)) {
      terms.add(term);
    }
  }
}
