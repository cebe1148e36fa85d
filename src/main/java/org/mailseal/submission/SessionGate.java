// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.mailseal.metrics.RelayMetrics;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Decides at connect time whether a session may start, shared by every listener: a bound on open
 * sessions in total and per client address (after any PROXY protocol header), the trusted
 * listener's networks, and refusal with {@code 421} once shutdown has begun. Counts what is open so
 * shutdown can wait for it.
 *
 * <p>The last tenth of the sessions (at least one) is kept for addresses that hold none yet: a few
 * addresses that each open their allowance of sessions (slow ones, say, until {@link Deadlines}
 * closes them) cannot fill the server and keep every other client out.
 */
final class SessionGate {
  private final int maxTotal;
  private final int maxPerIp;
  private final int reserved;
  private final RelayMetrics metrics;
  private final Map<InetAddress, Integer> perIp = new HashMap<>();
  private final java.util.Set<Session> counted =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
  private int total;
  private boolean draining;

  SessionGate(int maxTotal, int maxPerIp, RelayMetrics metrics) {
    this.maxTotal = maxTotal;
    this.maxPerIp = maxPerIp;
    this.reserved = Math.max(1, maxTotal / 10);
    this.metrics = metrics;
  }

  /** A session handler for one listener; {@code allowed} says which clients it serves. */
  SessionHandler handler(Predicate<InetAddress> allowed, String refusal) {
    return new SessionHandler() {
      @Override
      public SessionAcceptance accept(Session session) {
        noDelay(session);
        InetAddress ip = session.getRemoteAddress().getAddress();
        if (!allowed.test(ip)) {
          metrics.rejected("554 5.7.1");
          return SessionAcceptance.failure(554, refusal);
        }
        synchronized (SessionGate.this) {
          if (draining) {
            return SessionAcceptance.failure(421, "4.3.2 Service shutting down, try again later");
          }
          if (total >= maxTotal) {
            metrics.rejected("421 4.7.0");
            return SessionAcceptance.failure(421, "4.7.0 Too many connections, try again later");
          }
          int mine = perIp.getOrDefault(ip, 0);
          if (mine >= maxPerIp || (mine > 0 && total >= maxTotal - reserved)) {
            metrics.rejected("421 4.7.0");
            return SessionAcceptance.failure(
                421, "4.7.0 Too many connections from your address, try again later");
          }
          perIp.put(ip, mine + 1);
          total++;
          counted.add(session);
          return SessionAcceptance.success();
        }
      }

      @Override
      public void onSessionEnd(Session session) {
        InetAddress ip = session.getRemoteAddress().getAddress();
        synchronized (SessionGate.this) {
          if (!counted.remove(session)) {
            return;
          }
          perIp.computeIfPresent(ip, (k, v) -> v <= 1 ? null : v - 1);
          total--;
          SessionGate.this.notifyAll();
        }
      }
    };
  }

  /**
   * Sends each reply at once. With Nagle's algorithm on, a reply written while the previous one is
   * unacknowledged waits for the client's delayed ACK (40 ms on Linux): a pipelining client waits
   * that long for {@code 354} after {@code MAIL}, {@code RCPT} and {@code DATA}, every message.
   */
  private static void noDelay(Session session) {
    try {
      session.getSocket().setTcpNoDelay(true);
    } catch (java.net.SocketException closed) {
      // the client is gone; the session ends at its first read
    }
  }

  /** Refuses new sessions from now on. */
  synchronized void drain() {
    draining = true;
  }

  /**
   * Waits until every open session has ended or {@code millis} have passed.
   *
   * @return the sessions still open
   */
  synchronized int awaitIdle(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (total > 0) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    return total;
  }

  synchronized int open() {
    return total;
  }

  static Predicate<InetAddress> anyClient() {
    return ip -> true;
  }

  /** Clients in any of {@code cidrs} ({@code 127.0.0.1/32}, {@code ::1/128}, or a bare address). */
  static Predicate<InetAddress> networks(List<String> cidrs) {
    List<Cidr> nets = cidrs.stream().map(Cidr::parse).toList();
    return ip -> nets.stream().anyMatch(n -> n.contains(ip));
  }

  record Cidr(byte[] network, int bits) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      String addr = slash < 0 ? text : text.substring(0, slash);
      try {
        byte[] n = InetAddress.getByName(addr.strip()).getAddress();
        int bits = slash < 0 ? n.length * 8 : Integer.parseInt(text.substring(slash + 1).strip());
        return new Cidr(n, bits);
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException("not an address: " + text, e);
      }
    }

    boolean contains(InetAddress ip) {
      byte[] a = ip.getAddress();
      if (a.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (a[full] & mask) == (network[full] & mask);
    }
  }
}
