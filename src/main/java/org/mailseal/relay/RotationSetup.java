// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyStore;
import org.mailseal.records.DnsChecker;
import org.mailseal.rotation.DnsViews;
import org.mailseal.rotation.Reconciler;
import org.mailseal.rotation.RotationPolicy;

/**
 * The pieces of key rotation made from the configuration: each domain's policy, how DNS is asked
 * whether a new key is published ({@code rotation.dns-check}), and the reconciler over them. Used
 * by {@code serve} and by {@code keys reconcile}.
 */
public final class RotationSetup {
  private RotationSetup() {}

  /** The rotation policy of a configured domain. */
  public static RotationPolicy policy(MailsealConfig.Domain d) {
    return new RotationPolicy(
        d.algorithms(),
        d.rsaBits(),
        d.rotation().schedule(),
        d.rotation().prepublish(),
        d.rotation().grace(),
        d.rotation().dnsDeadline());
  }

  /** Every configured domain's policy, in the configuration's domain order. */
  public static Map<String, RotationPolicy> policies(MailsealConfig config) {
    Map<String, RotationPolicy> out = new LinkedHashMap<>();
    for (String d : config.domainNames()) {
      out.put(d, policy(config.domains().get(d)));
    }
    return out;
  }

  /**
   * How the rotation asks DNS whether a new key is published, per domain as its {@code
   * rotation.dns-check} says: the system resolver, every one of {@code dns-servers}, or every
   * authoritative name server of the domain.
   */
  public static Predicate<DkimKey> dnsView(MailsealConfig config) throws RelayException {
    Map<String, Predicate<DkimKey>> views = new HashMap<>();
    for (String d : config.domainNames()) {
      MailsealConfig.Rotation r = config.domains().get(d).rotation();
      Predicate<DkimKey> view =
          switch (r.dnsCheck()) {
            case SERVERS -> DnsViews.servers(checkers(d, r.dnsServers()));
            case AUTHORITATIVE ->
                DnsViews.authoritative(
                    new DnsChecker(DnsjavaLookup.system()), DnsjavaLookup::server);
            case SYSTEM -> Reconciler.dnsView(new DnsChecker(DnsjavaLookup.system()));
          };
      views.put(d, view);
    }
    return DnsViews.byDomain(views);
  }

  /** A checker per server of {@code servers} ({@code HOST[:PORT]}). */
  static List<DnsChecker> checkers(String domain, List<String> servers) throws RelayException {
    List<DnsChecker> out = new ArrayList<>();
    for (String server : servers) {
      try {
        out.add(new DnsChecker(DnsjavaLookup.server(server)));
      } catch (IllegalArgumentException e) {
        throw new RelayException(
            RelayException.Kind.CONFIGURATION,
            "domains." + domain + ".rotation.dns-servers: " + e.getMessage(),
            e);
      }
    }
    return out;
  }

  /**
   * The reconciler of every configured domain over {@code keys}, asking DNS through {@code view}.
   */
  public static Reconciler reconciler(
      MailsealConfig config,
      KeyStore keys,
      Clock clock,
      SecureRandom random,
      Predicate<DkimKey> view) {
    return new Reconciler(
        keys, new KeyGenerator(random), config.keys().selectorTemplate(), clock, view);
  }
}
