// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing without letting anyone lock a user out.
 *
 * <p>Failures are counted, over a sliding {@link #WINDOW}, under three keys:
 *
 * <ul>
 *   <li>the client address: after {@link #ADDRESS}'s free failures each further attempt waits a
 *       growing delay (1 s, 2 s, 4 s … at most {@link #MAX_DELAY}), and after its lockout count the
 *       address is refused for {@link #LOCKOUT};
 *   <li>the client's network (a /24 for IPv4, a /56 for IPv6), the same way with higher counts
 *       ({@link #NETWORK}), so that guesses spread over many addresses of one network are slowed as
 *       if they came from one;
 *   <li>the user name: only a slowdown ({@link #USER}), never a lockout, and it holds back only
 *       clients whose own address has failed lately. A client whose address has no failures has its
 *       password checked whatever the name's count, so the owner's right password passes at once
 *       while someone elsewhere guesses; every wrong guess then marks its address.
 * </ul>
 *
 * <p>A success forgives that user's failures from that address (the typos of someone who then
 * proved to know the password); failures for other names stay, so logging in to one's own account
 * does not clear guesses at another. Memory stays bounded: the least recently used keys are dropped
 * past {@link #MAX_TRACKED}, and each key keeps at most {@link #MAX_PER_KEY} failures. Thread-safe.
 */
public final class LoginThrottle {
  /**
   * How many failures a key forgives, and after how many it is locked out.
   *
   * @param free failures within the window that cost nothing
   * @param lockoutAfter failures within the window that lock the key out; 0 never locks
   */
  public record Rule(int free, int lockoutAfter) {
    public Rule {
      if (free < 0 || lockoutAfter < 0 || (lockoutAfter > 0 && lockoutAfter <= free)) {
        throw new IllegalArgumentException("Rule: need 0 <= free < lockoutAfter (or 0)");
      }
    }
  }

  /** One client address: three typos free, locked after ten failures. */
  public static final Rule ADDRESS = new Rule(3, 10);

  /** One /24 or /56: a few users' typos free, locked after thirty failures. */
  public static final Rule NETWORK = new Rule(6, 30);

  /** One user name: slowed after five failures from anywhere, never locked. */
  public static final Rule USER = new Rule(5, 0);

  public static final Duration WINDOW = Duration.ofMinutes(15);
  public static final Duration LOCKOUT = Duration.ofMinutes(15);
  public static final Duration MAX_DELAY = Duration.ofSeconds(30);
  public static final int MAX_TRACKED = 30_000;
  static final int MAX_PER_KEY = 64;

  /** Which key holds an attempt back. */
  public enum Scope {
    ADDRESS("your address"),
    NETWORK("your network"),
    USER("this user name from your address");

    private final String text;

    Scope(String text) {
      this.text = text;
    }

    /** For the reply: "Too many failed logins from …". */
    public String text() {
      return text;
    }
  }

  /** Why an attempt may not be made now. */
  public sealed interface Verdict permits Verdict.Wait, Verdict.Locked {
    Instant until();

    Scope scope();

    /** Another attempt only after {@code until} (throttled: 454 4.7.0). */
    record Wait(Instant until, Scope scope) implements Verdict {}

    /** No attempt before {@code until} (locked out: 421 4.7.0). */
    record Locked(Instant until, Scope scope) implements Verdict {}
  }

  private record Failure(Instant at, String ip, String user) {}

  private final Clock clock;
  private final Map<String, ArrayDeque<Failure>> records =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Failure>> eldest) {
          return size() > MAX_TRACKED;
        }
      };

  public LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  /**
   * Whether an attempt from {@code client} for {@code user} must wait, and until when; empty when
   * its password is to be checked now.
   */
  public synchronized Optional<Verdict> check(InetAddress client, String user) {
    Instant now = clock.instant();
    Optional<Verdict> address = verdict(addressKey(client), ADDRESS, Scope.ADDRESS, now);
    if (address.isPresent()) {
      return address;
    }
    Optional<Verdict> network = verdict(networkKey(client), NETWORK, Scope.NETWORK, now);
    if (network.isPresent()) {
      return network;
    }
    if (failures(addressKey(client), now) == 0) {
      return Optional.empty(); // a clean address: the user's slowdown does not apply
    }
    return verdict(userKey(user), USER, Scope.USER, now);
  }

  /** Counts a wrong password from {@code client} for {@code user}. */
  public synchronized void failed(InetAddress client, String user) {
    Instant now = clock.instant();
    evict(now);
    Failure f = new Failure(now, client.getHostAddress(), normal(user));
    add(addressKey(client), f);
    add(networkKey(client), f);
    add(userKey(user), f);
  }

  /** Forgives {@code user}'s failures from {@code client}: they knew the password after all. */
  public synchronized void succeeded(InetAddress client, String user) {
    String ip = client.getHostAddress();
    String u = normal(user);
    for (String key : new String[] {addressKey(client), networkKey(client), userKey(user)}) {
      ArrayDeque<Failure> q = records.get(key);
      if (q != null) {
        q.removeIf(f -> f.ip().equals(ip) && f.user().equals(u));
        if (q.isEmpty()) {
          records.remove(key);
        }
      }
    }
  }

  /** The network a client address belongs to, as counted: {@code 192.0.2.0/24}, {@code …/56}. */
  static String network(InetAddress client) {
    byte[] b = client.getAddress();
    if (client instanceof Inet4Address) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + ".0/24";
    }
    byte[] prefix = new byte[16];
    System.arraycopy(b, 0, prefix, 0, 7);
    return HexFormat.of().formatHex(prefix, 0, 7) + "::/56";
  }

  private void add(String key, Failure f) {
    ArrayDeque<Failure> q = records.get(key);
    if (q == null) {
      q = new ArrayDeque<>();
      records.put(key, q);
    }
    q.addLast(f);
    while (q.size() > MAX_PER_KEY) {
      q.removeFirst();
    }
  }

  private int failures(String key, Instant now) {
    ArrayDeque<Failure> q = records.get(key);
    if (q == null) {
      return 0;
    }
    Instant cutoff = now.minus(WINDOW);
    while (!q.isEmpty() && !q.peekFirst().at().isAfter(cutoff)) {
      q.removeFirst();
    }
    if (q.isEmpty()) {
      records.remove(key);
      return 0;
    }
    return q.size();
  }

  private Optional<Verdict> verdict(String key, Rule rule, Scope scope, Instant now) {
    int n = failures(key, now);
    if (n <= rule.free()) {
      return Optional.empty();
    }
    Instant last = records.get(key).peekLast().at();
    if (rule.lockoutAfter() > 0 && n >= rule.lockoutAfter()) {
      Instant until = last.plus(LOCKOUT);
      return now.isBefore(until) ? Optional.of(new Verdict.Locked(until, scope)) : Optional.empty();
    }
    long seconds = Math.min(MAX_DELAY.getSeconds(), 1L << Math.min(30, n - rule.free() - 1));
    Instant until = last.plusSeconds(seconds);
    return now.isBefore(until) ? Optional.of(new Verdict.Wait(until, scope)) : Optional.empty();
  }

  private static String addressKey(InetAddress client) {
    return "a:" + client.getHostAddress();
  }

  private static String networkKey(InetAddress client) {
    return "n:" + network(client);
  }

  private static String userKey(String user) {
    return "u:" + normal(user);
  }

  private static String normal(String user) {
    return user.strip().toLowerCase(Locale.ROOT);
  }

  /** How many keys are tracked (for tests). */
  synchronized int tracked() {
    evict(clock.instant());
    return records.size();
  }

  /** Drops the least recently used keys whose failures are all older than the window. */
  private void evict(Instant now) {
    Instant cutoff = now.minus(WINDOW);
    Iterator<ArrayDeque<Failure>> it = records.values().iterator();
    while (it.hasNext()) {
      ArrayDeque<Failure> q = it.next();
      if (!q.isEmpty() && q.peekLast().at().isAfter(cutoff)) {
        break; // access order: the rest were used more recently
      }
      it.remove();
    }
  }
}
