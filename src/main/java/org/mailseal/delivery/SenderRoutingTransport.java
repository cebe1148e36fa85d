// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mailseal.spool.SpoolEntry;

/**
 * Picks the smarthost by the message's envelope sender ({@code delivery.sender-routes}): Gmail and
 * Microsoft 365 accept only senders the authenticated account owns, so each sender goes through the
 * account that owns it. The most specific match wins: the whole address, then its domain, then each
 * parent domain ({@code example.org} covers {@code mail.example.org}); anything else, and the null
 * sender of a DSN, goes through the fallback (the default smarthost).
 *
 * <p>It sits behind the recipient-domain routes: a recipient routed to {@code mx} or {@code file}
 * never reaches it; one routed to {@code smarthost} goes through its sender's smarthost.
 */
public final class SenderRoutingTransport implements Transport {
  private final Transport fallback;
  private final Map<String, Transport> bySender;

  /**
   * @param fallback the transport of every sender not matched
   * @param bySender lower-case sender address or domain to its transport
   */
  public SenderRoutingTransport(Transport fallback, Map<String, Transport> bySender) {
    this.fallback = fallback;
    this.bySender = Map.copyOf(bySender);
  }

  @Override
  public Map<String, DeliveryOutcome> deliver(
      SpoolEntry entry, List<String> recipients, MessageSource message) {
    return route(entry.sender()).deliver(entry, recipients, message);
  }

  /** The transport for envelope sender {@code sender}. */
  Transport route(String sender) {
    String s = sender.toLowerCase(Locale.ROOT);
    Transport t = bySender.get(s);
    if (t != null) {
      return t;
    }
    int at = s.lastIndexOf('@');
    if (at < 0) {
      return fallback;
    }
    for (String d = s.substring(at + 1); !d.isEmpty(); ) {
      t = bySender.get(d);
      if (t != null) {
        return t;
      }
      int dot = d.indexOf('.');
      d = dot < 0 ? "" : d.substring(dot + 1);
    }
    return fallback;
  }
}
