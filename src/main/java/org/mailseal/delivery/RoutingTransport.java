// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mailseal.spool.SpoolEntry;

/**
 * Sends each recipient through the transport of its domain ({@code delivery.routes}), the others
 * through the default route: one call per transport, with that transport's recipients only. A
 * domain matches exactly (case-insensitive); {@code sub.example.org} is not covered by {@code
 * example.org}.
 */
public final class RoutingTransport implements Transport {
  private final Transport fallback;
  private final Map<String, Transport> byDomain;

  /**
   * @param fallback the transport of every domain not in {@code byDomain}
   * @param byDomain lower-case recipient domain to its transport
   */
  public RoutingTransport(Transport fallback, Map<String, Transport> byDomain) {
    this.fallback = fallback;
    this.byDomain = Map.copyOf(byDomain);
  }

  @Override
  public Map<String, DeliveryOutcome> deliver(
      SpoolEntry entry, List<String> recipients, MessageSource message) {
    Map<Transport, List<String>> split = new IdentityHashMap<>();
    for (String r : recipients) {
      split.computeIfAbsent(route(r), t -> new ArrayList<>()).add(r);
    }
    Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
    split.forEach((t, rcpts) -> out.putAll(t.deliver(entry, rcpts, message)));
    return out;
  }

  private Transport route(String recipient) {
    int at = recipient.lastIndexOf('@');
    String domain = at < 0 ? "" : recipient.substring(at + 1).toLowerCase(Locale.ROOT);
    return byDomain.getOrDefault(domain, fallback);
  }
}
