// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.mailseal.spool.SpoolEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays through one upstream server (Gmail, an ISP) with Jakarta Mail's SMTP client: STARTTLS
 * required or TLS from the first byte, TLS 1.2+ with the server's certificate and name checked,
 * AUTH when a user is configured. Connections are kept in a bounded pool and reused for message
 * after message: one used in the last two seconds as it is, an older one after a NOOP; a broken one
 * is dropped, and a message whose just-used connection turns out closed goes at once on a new one.
 * A 4xx for a recipient or for the message defers it, a 5xx bounces it, and anything that stops the
 * conversation (refused, timeout, TLS) defers all.
 */
public final class SmarthostTransport implements Transport, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SmarthostTransport.class);

  /** How the connection to the smarthost is protected. */
  public enum Security {
    /** STARTTLS, required: a server that does not offer it is a temporary failure (587). */
    STARTTLS,
    /** TLS from the first byte (465). */
    IMPLICIT,
    /**
     * Plain text, for a relay on the same host or LAN (a local Postfix, a test sink). Never with
     * AUTH: the configuration refuses a username with it.
     */
    NONE
  }

  /**
   * @param security STARTTLS, implicit TLS, or none (only without AUTH)
   * @param tls the client TLS to use (system trust, or a CA file's)
   * @param heloName the name mailseal gives in EHLO
   */
  public record Settings(
      String host,
      int port,
      Security security,
      Optional<String> username,
      Optional<String> password,
      SSLSocketFactory tls,
      int poolSize,
      Duration timeout,
      String heloName) {}

  private final Settings settings;
  private final Session session;
  private final String protocol;
  private final Semaphore permits;
  private final LinkedBlockingDeque<Pooled> idle = new LinkedBlockingDeque<>();
  private final java.util.concurrent.atomic.AtomicInteger opened =
      new java.util.concurrent.atomic.AtomicInteger();

  public SmarthostTransport(Settings s) {
    if (s.security() == Security.NONE && s.username().isPresent()) {
      throw new IllegalArgumentException("AUTH to a smarthost needs TLS");
    }
    this.settings = s;
    this.protocol = s.security() == Security.IMPLICIT ? "smtps" : "smtp";
    String p = "mail." + protocol + ".";
    Properties props = new Properties();
    props.put(p + "host", s.host());
    props.put(p + "port", String.valueOf(s.port()));
    props.put(p + "localhost", s.heloName());
    props.put(p + "connectiontimeout", String.valueOf(s.timeout().toMillis()));
    props.put(p + "timeout", String.valueOf(s.timeout().toMillis()));
    props.put(p + "writetimeout", String.valueOf(s.timeout().toMillis()));
    props.put(p + "ssl.protocols", "TLSv1.3 TLSv1.2");
    props.put(p + "ssl.checkserveridentity", "true");
    props.put(p + "ssl.socketFactory", s.tls());
    switch (s.security()) {
      case IMPLICIT -> props.put(p + "ssl.enable", "true");
      case STARTTLS -> {
        props.put(p + "starttls.enable", "true");
        props.put(p + "starttls.required", "true");
      }
      case NONE -> props.put(p + "starttls.enable", "false");
    }
    props.put(p + "auth", String.valueOf(s.username().isPresent()));
    // Deliver to the recipients the server took even when it refused others.
    props.put(p + "sendpartial", "true");
    this.session = Session.getInstance(props);
    this.permits = new Semaphore(s.poolSize());
  }

  @Override
  public Map<String, DeliveryOutcome> deliver(
      SpoolEntry entry, List<String> recipients, MessageSource message) {
    Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
    Address[] to;
    try {
      to = SmtpOutcomes.addresses(recipients);
    } catch (AddressException e) {
      recipients.forEach(
          r -> out.put(r, new DeliveryOutcome.Bounced("5.1.3 bad address: " + e.getMessage())));
      return out;
    }
    permits.acquireUninterruptibly();
    try {
      Pooled p = borrow(false);
      if (!p.checked()) {
        try {
          return send(p.transport(), entry, to, recipients, message);
        } catch (StaleConnection stale) {
          // Used moments ago and closed since: try once more, now, on a connection known to
          // work. Had the upstream closed it after taking the final dot but before its reply,
          // it gets the message twice, as after any reply lost on the way.
          log.debug(
              "smarthost pooled connection was closed, reconnecting: {}",
              SmtpOutcomes.describe(stale.failure));
          p = borrow(true);
        }
      }
      return send(p.transport(), entry, to, recipients, message);
    } catch (StaleConnection e) {
      return deferAll(recipients, e.failure);
    } catch (MessagingException e) {
      return deferAll(recipients, e);
    } finally {
      permits.release();
    }
  }

  /**
   * One attempt on {@code t}, which goes back to the pool when it is still usable. A lost
   * connection (EOF, 421, an I/O error) is a {@link StaleConnection}; refusals are outcomes.
   */
  private Map<String, DeliveryOutcome> send(
      SMTPTransport t,
      SpoolEntry entry,
      Address[] to,
      List<String> recipients,
      MessageSource message)
      throws StaleConnection {
    Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
    boolean reusable = false;
    try {
      t.sendMessage(new RawMessage(session, message, entry.sender()), to);
      String reply = SmtpOutcomes.reply(t);
      recipients.forEach(r -> out.put(r, new DeliveryOutcome.Delivered(reply)));
      reusable = true;
    } catch (org.eclipse.angus.mail.smtp.SMTPSendFailedException e) {
      if (e.getReturnCode() == -1 || e.getReturnCode() == 421) {
        throw new StaleConnection(e); // EOF, or the upstream closing the connection
      }
      reusable = SmtpOutcomes.fromRefusal(e, recipients, out, t);
    } catch (SendFailedException e) {
      reusable = SmtpOutcomes.fromRefusal(e, recipients, out, t);
    } catch (MessagingException e) {
      throw new StaleConnection(e);
    } finally {
      if (reusable) {
        idle.offerFirst(new Pooled(t, System.nanoTime(), false));
      } else {
        SmtpOutcomes.closeQuietly(t);
      }
    }
    return out;
  }

  private Map<String, DeliveryOutcome> deferAll(List<String> recipients, MessagingException e) {
    String why = settings.host() + ":" + settings.port() + ": " + SmtpOutcomes.describe(e);
    log.warn("smarthost attempt failed: {}", why);
    Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
    recipients.forEach(r -> out.put(r, new DeliveryOutcome.Deferred(why)));
    return out;
  }

  /** The connection was lost during an attempt: dropped (EOF, I/O error) or closing (421). */
  private static final class StaleConnection extends Exception {
    private static final long serialVersionUID = 1L;
    final transient MessagingException failure;

    StaleConnection(MessagingException failure) {
      super(failure.getMessage(), null, false, false);
      this.failure = failure;
    }
  }

  /**
   * A pooled connection: when it was last used, and whether it was checked (NOOP) or is new.
   *
   * @param since {@code System.nanoTime()} when it went back to the pool
   */
  private record Pooled(SMTPTransport transport, long since, boolean checked) {}

  /**
   * A connection: one that went back to the pool less than {@link #FRESH_NANOS} ago is taken as it
   * is (no server closes a connection seconds after its last reply), an older one only after a NOOP
   * round trip, else a new one. With {@code check}, every pooled one gets the NOOP.
   */
  private Pooled borrow(boolean check) throws MessagingException {
    Pooled p;
    while ((p = idle.pollFirst()) != null) {
      if (!check && System.nanoTime() - p.since() < FRESH_NANOS) {
        return p;
      }
      if (p.transport().isConnected()) { // a NOOP round trip
        return new Pooled(p.transport(), p.since(), true);
      }
      SmtpOutcomes.closeQuietly(p.transport());
    }
    return new Pooled(connect(), System.nanoTime(), true);
  }

  /** Used within this long, a pooled connection is reused without a NOOP first. */
  private static final long FRESH_NANOS = 2_000_000_000L;

  private SMTPTransport connect() throws MessagingException {
    SMTPTransport t = (SMTPTransport) session.getTransport(protocol);
    t.connect(
        settings.host(),
        settings.port(),
        settings.username().orElse(null),
        settings.password().orElse(null));
    opened.incrementAndGet();
    log.debug(
        "smarthost connected host={} port={} opened={}", settings.host(), settings.port(), opened);
    return t;
  }

  /** Connections opened so far (reuse keeps this low). */
  public int connectionsOpened() {
    return opened.get();
  }

  @Override
  public void close() {
    Pooled p;
    while ((p = idle.pollFirst()) != null) {
      SmtpOutcomes.closeQuietly(p.transport());
    }
  }
}
