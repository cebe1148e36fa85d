// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.mailseal.dns.DnsLookup;
import org.mailseal.spool.SpoolEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers straight to each recipient domain's MX hosts (RFC 5321 §5.1), one SMTP transaction per
 * domain. Hosts are tried in preference order (see {@link MxResolver}); a host that cannot be
 * reached, answers its greeting with 4xx/5xx, or fails EHLO or the TLS handshake is skipped for the
 * next one. Once a host takes part in a transaction its replies decide: 2xx delivered, 4xx
 * deferred, 5xx bounced, per recipient.
 *
 * <p>STARTTLS is opportunistic (RFC 7435): used whenever the host offers it, with no certificate
 * check, since an MX has no name we could authenticate without DANE or MTA-STS. A failed handshake
 * counts as a failed connection to that host and the next host is tried; we do not retry the same
 * host in plaintext within the attempt. Postfix at {@code smtp_tls_security_level = may} does fall
 * back to plaintext; we do not, because a handshake that fails for a passive reason is rare and an
 * active attacker who can break it could otherwise always force plaintext. The message is deferred
 * if no host is left, so an MX whose TLS is broken gets mail only once it is fixed or the message
 * expires (then a DSN says why).
 *
 * <p>At most {@code connectionsPerDestination} connections to one host address are in use at once;
 * idle ones are kept for a short while and reused for the next message to that address.
 */
public final class MxTransport implements Transport, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MxTransport.class);

  /** How long an idle connection is kept for reuse: well under the 5 min servers wait for us. */
  static final Duration IDLE = Duration.ofSeconds(30);

  /**
   * @param port the port of every MX (25; tests use a loopback port)
   * @param egressIpv4 the local address for IPv4 connections, or empty for the system's choice
   * @param egressIpv6 the local address for IPv6 connections, or empty for the system's choice
   * @param connectionsPerDestination connections in use to one host address at most
   * @param timeout connect, read and write timeout
   * @param heloName the name mailseal gives in EHLO
   * @param tls the TLS used for STARTTLS ({@link ClientTls#unverified()})
   */
  public record Settings(
      int port,
      Optional<InetAddress> egressIpv4,
      Optional<InetAddress> egressIpv6,
      int connectionsPerDestination,
      Duration timeout,
      String heloName,
      SSLSocketFactory tls) {
    public Settings {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("MxTransport.Settings: port must be 1-65535");
      }
      if (connectionsPerDestination < 1) {
        throw new IllegalArgumentException(
            "MxTransport.Settings: connectionsPerDestination must be >= 1");
      }
    }
  }

  private final Settings settings;
  private final MxResolver resolver;
  private final Clock clock;
  private final Session ipv4;
  private final Session ipv6;
  private final Map<InetSocketAddress, Destination> destinations = new ConcurrentHashMap<>();

  public MxTransport(Settings settings, DnsLookup dns, RandomGenerator random, Clock clock) {
    this.settings = settings;
    this.resolver = new MxResolver(dns, random);
    this.clock = clock;
    this.ipv4 = session(settings, settings.egressIpv4());
    this.ipv6 = session(settings, settings.egressIpv6());
  }

  private static Session session(Settings s, Optional<InetAddress> local) {
    String p = "mail.smtp.";
    Properties props = new Properties();
    props.put(p + "port", String.valueOf(s.port()));
    props.put(p + "localhost", s.heloName());
    local.ifPresent(a -> props.put(p + "localaddress", a.getHostAddress()));
    props.put(p + "connectiontimeout", String.valueOf(s.timeout().toMillis()));
    props.put(p + "timeout", String.valueOf(s.timeout().toMillis()));
    props.put(p + "writetimeout", String.valueOf(s.timeout().toMillis()));
    props.put(p + "starttls.enable", "true");
    props.put(p + "starttls.required", "false");
    props.put(p + "ssl.protocols", "TLSv1.3 TLSv1.2");
    props.put(p + "ssl.checkserveridentity", "false");
    props.put(p + "ssl.socketFactory", s.tls());
    props.put(p + "auth", "false");
    props.put(p + "sendpartial", "true");
    return Session.getInstance(props);
  }

  @Override
  public Map<String, DeliveryOutcome> deliver(
      SpoolEntry entry, List<String> recipients, MessageSource message) {
    Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
    Map<String, List<String>> byDomain = new LinkedHashMap<>();
    for (String r : recipients) {
      int at = r.lastIndexOf('@');
      if (at < 1 || at == r.length() - 1) {
        out.put(r, new DeliveryOutcome.Bounced("553 5.1.3 no domain in address " + r));
      } else {
        byDomain
            .computeIfAbsent(r.substring(at + 1).toLowerCase(Locale.ROOT), d -> new ArrayList<>())
            .add(r);
      }
    }
    byDomain.forEach((domain, rcpts) -> out.putAll(toDomain(entry, domain, rcpts, message)));
    return out;
  }

  private Map<String, DeliveryOutcome> toDomain(
      SpoolEntry entry, String domain, List<String> recipients, MessageSource message) {
    Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
    Address[] to;
    try {
      to = SmtpOutcomes.addresses(recipients);
    } catch (AddressException e) {
      recipients.forEach(
          r -> out.put(r, new DeliveryOutcome.Bounced("553 5.1.3 bad address: " + e.getMessage())));
      return out;
    }
    MxResolver.Route route = resolver.resolve(domain);
    if (route instanceof MxResolver.Nowhere n) {
      log.debug("mx no route domain={} reason=\"{}\"", domain, n.outcome().reply());
      recipients.forEach(r -> out.put(r, n.outcome()));
      return out;
    }
    List<String> failures = new ArrayList<>();
    for (MxResolver.Host host : ((MxResolver.Hosts) route).hosts()) {
      for (InetAddress address : host.addresses()) {
        if (Thread.currentThread().isInterrupted()) {
          failures.add("interrupted");
          break;
        }
        Optional<Map<String, DeliveryOutcome>> done =
            tryHost(entry, host.name(), address, recipients, to, message, failures);
        if (done.isPresent()) {
          return done.get();
        }
      }
    }
    String why = String.join("; ", failures);
    if (why.length() > 400) {
      why = why.substring(0, 400) + "...";
    }
    DeliveryOutcome deferred =
        new DeliveryOutcome.Deferred("451 4.4.1 no MX host of " + domain + " answered: " + why);
    recipients.forEach(r -> out.put(r, deferred));
    return out;
  }

  /**
   * One host address: empty when it could not be reached (try the next), otherwise the outcomes of
   * the transaction it took part in.
   */
  private Optional<Map<String, DeliveryOutcome>> tryHost(
      SpoolEntry entry,
      String name,
      InetAddress address,
      List<String> recipients,
      Address[] to,
      MessageSource message,
      List<String> failures) {
    String label = name + "[" + address.getHostAddress() + "]:" + settings.port();
    Destination d =
        destinations.computeIfAbsent(
            new InetSocketAddress(address, settings.port()),
            k -> new Destination(settings.connectionsPerDestination()));
    try {
      if (!d.permits.tryAcquire(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        failures.add(label + ": connection limit reached");
        return Optional.empty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.add(label + ": interrupted");
      return Optional.empty();
    }
    Session session = address instanceof Inet6Address ? ipv6 : ipv4;
    SMTPTransport t = null;
    boolean reusable = false;
    try {
      try {
        t = d.borrow(session, address, clock.instant());
      } catch (MessagingException e) {
        failures.add(label + ": " + SmtpOutcomes.describe(e));
        log.debug("mx host skipped host={} reason=\"{}\"", label, SmtpOutcomes.describe(e));
        return Optional.empty();
      }
      Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
      try {
        t.sendMessage(new RawMessage(session, message, entry.sender()), to);
        String reply = label + " said: " + SmtpOutcomes.reply(t);
        recipients.forEach(r -> out.put(r, new DeliveryOutcome.Delivered(reply)));
        reusable = true;
      } catch (SendFailedException e) {
        reusable = SmtpOutcomes.fromRefusal(e, recipients, out, t);
      } catch (MessagingException e) {
        String why = "451 4.4.2 " + label + ": " + SmtpOutcomes.describe(e);
        log.warn("mx transaction failed: {}", why);
        recipients.forEach(r -> out.put(r, new DeliveryOutcome.Deferred(why)));
      }
      return Optional.of(out);
    } finally {
      if (t != null) {
        if (reusable) {
          d.idle.offerFirst(new Idle(t, clock.instant()));
        } else {
          SmtpOutcomes.closeQuietly(t);
        }
      }
      d.permits.release();
    }
  }

  /** Connections opened so far, over every destination (reuse keeps this low). */
  public int connectionsOpened() {
    return destinations.values().stream().mapToInt(d -> d.opened.get()).sum();
  }

  @Override
  public void close() {
    destinations.values().forEach(Destination::closeIdle);
  }

  private record Idle(SMTPTransport transport, Instant since) {}

  /** One host address: its permits and its idle connections. */
  private final class Destination {
    final Semaphore permits;
    final LinkedBlockingDeque<Idle> idle = new LinkedBlockingDeque<>();
    final AtomicInteger opened = new AtomicInteger();

    Destination(int limit) {
      this.permits = new Semaphore(limit);
    }

    /** An idle connection still alive, or a new one; the caller holds a permit. */
    SMTPTransport borrow(Session session, InetAddress address, Instant now)
        throws MessagingException {
      Idle i;
      while ((i = idle.pollFirst()) != null) {
        if (i.since().plus(IDLE).isAfter(now) && i.transport().isConnected()) { // NOOP
          return i.transport();
        }
        SmtpOutcomes.closeQuietly(i.transport());
      }
      SMTPTransport t = (SMTPTransport) session.getTransport("smtp");
      t.connect(address.getHostAddress(), settings.port(), null, null);
      opened.incrementAndGet();
      log.debug(
          "mx connected address={} port={} tls={}",
          address.getHostAddress(),
          settings.port(),
          t.isSSL() ? "starttls" : "none");
      return t;
    }

    void closeIdle() {
      Idle i;
      while ((i = idle.pollFirst()) != null) {
        SmtpOutcomes.closeQuietly(i.transport());
      }
    }
  }
}
