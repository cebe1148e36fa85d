// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
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
import org.mailseal.oauth.OAuthException;
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
 *
 * <p>Authentication is a password (AUTH PLAIN/LOGIN) or an OAuth2 access token (AUTH XOAUTH2): a
 * token the server refuses is renewed once and the connection tried again before the message is
 * deferred. A connection that cannot be opened (refused, TLS, authentication, no token) marks the
 * upstream down in its {@link UpstreamHealth}: from then on messages are held without a connection
 * until a probe ({@link #probe()}, run by {@link Upstreams}) succeeds.
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

  /** The name of the smarthost configured as {@code delivery.smarthost}. */
  public static final String DEFAULT_NAME = "default";

  /**
   * @param name the upstream's name in logs, {@code /metrics} and {@code /ready} ({@value
   *     #DEFAULT_NAME} for {@code delivery.smarthost}, else its key under {@code
   *     delivery.smarthosts})
   * @param security STARTTLS, implicit TLS, or none (only without AUTH)
   * @param credentials none, a password, or OAuth2 tokens
   * @param tls the client TLS to use (system trust, or a CA file's)
   * @param heloName the name mailseal gives in EHLO
   */
  public record Settings(
      String name,
      String host,
      int port,
      Security security,
      SmarthostCredentials credentials,
      CheckedTls tls,
      int poolSize,
      Duration timeout,
      String heloName) {

    /** A password smarthost named {@value #DEFAULT_NAME}, as the relay configured it so far. */
    public Settings(
        String host,
        int port,
        Security security,
        Optional<String> username,
        Optional<String> password,
        SSLSocketFactory tls,
        int poolSize,
        Duration timeout,
        String heloName) {
      this(
          DEFAULT_NAME,
          host,
          port,
          security,
          username.isPresent()
              ? new SmarthostCredentials.Password(
                  username.get(), () -> password.orElse(""), "password-file or password-env")
              : new SmarthostCredentials.None(),
          CheckedTls.wrapping(tls),
          poolSize,
          timeout,
          heloName);
    }
  }

  private final Settings settings;
  private final Session session;
  private final String protocol;
  private final Semaphore permits;
  private final UpstreamHealth health;
  private final LinkedBlockingDeque<Pooled> idle = new LinkedBlockingDeque<>();
  private final java.util.concurrent.atomic.AtomicInteger opened =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger attempts =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * A transport for the relay as configured so far. Its health decides with the system clock; use
   * {@link #SmarthostTransport(Settings, Clock)} to give the clock.
   */
  public SmarthostTransport(Settings s) {
    this(s, Clock.systemUTC());
  }

  /**
   * @param clock decides the health's probe schedule
   */
  public SmarthostTransport(Settings s, Clock clock) {
    if (s.security() == Security.NONE && !(s.credentials() instanceof SmarthostCredentials.None)) {
      throw new IllegalArgumentException("AUTH to a smarthost needs TLS");
    }
    this.settings = s;
    this.health = new UpstreamHealth(s.name(), clock);
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
    props.put(p + "ssl.socketFactory", s.tls().socketFactory());
    switch (s.security()) {
      case IMPLICIT -> props.put(p + "ssl.enable", "true");
      case STARTTLS -> {
        props.put(p + "starttls.enable", "true");
        props.put(p + "starttls.required", "true");
      }
      case NONE -> props.put(p + "starttls.enable", "false");
    }
    props.put(p + "auth", String.valueOf(!(s.credentials() instanceof SmarthostCredentials.None)));
    if (s.credentials() instanceof SmarthostCredentials.OAuth2) {
      // Angus Mail speaks XOAUTH2 with the access token as the password, once asked to.
      props.put(p + "auth.mechanisms", "XOAUTH2");
      props.put(p + "auth.xoauth2.disable", "false");
    }
    // Deliver to the recipients the server took even when it refused others.
    props.put(p + "sendpartial", "true");
    this.session = Session.getInstance(props);
    this.permits = new Semaphore(s.poolSize());
  }

  /** This upstream's name. */
  public String name() {
    return settings.name();
  }

  /** Whether it is up, why not, and the messages waiting for it. */
  public UpstreamHealth health() {
    return health;
  }

  Settings settings() {
    return settings;
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
    if (health.isDown() && health.watched()) {
      return hold(entry, recipients);
    }
    permits.acquireUninterruptibly();
    try {
      Pooled p = borrow(false);
      Map<String, DeliveryOutcome> result;
      if (!p.checked()) {
        try {
          result = send(p.transport(), entry, to, recipients, message);
          noteOutcomes(result);
          return result;
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
      result = send(p.transport(), entry, to, recipients, message);
      noteOutcomes(result);
      return result;
    } catch (StaleConnection e) {
      return deferAll(recipients, e.failure);
    } catch (ConnectFailed e) {
      health.failed(e.failure);
      if (!health.watched()) {
        // Nobody probes this upstream: the message keeps its own retry schedule.
        Map<String, DeliveryOutcome> deferred = new LinkedHashMap<>();
        recipients.forEach(
            r -> deferred.put(r, new DeliveryOutcome.Deferred("4.4.1 " + e.failure.advice())));
        return deferred;
      }
      return hold(entry, recipients);
    } finally {
      permits.release();
    }
  }

  /** Held while the upstream is down: no connection, remembered for when it is back. */
  private Map<String, DeliveryOutcome> hold(SpoolEntry entry, List<String> recipients) {
    health.hold(entry.id());
    String why =
        "4.4.1 held: smarthost "
            + settings.name()
            + " is failing ("
            + health.failure().map(f -> f.kind().label()).orElse("connect")
            + "), tried again when a probe answers";
    Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
    recipients.forEach(r -> out.put(r, new DeliveryOutcome.Deferred(why)));
    return out;
  }

  /** The upstream answered this transaction: it is up, and 4xx/5xx replies are its last class. */
  private void noteOutcomes(Map<String, DeliveryOutcome> result) {
    boolean any = false;
    for (DeliveryOutcome o : result.values()) {
      if (o instanceof DeliveryOutcome.Bounced) {
        health.failed(new UpstreamFailure(UpstreamFailure.Kind.PERMANENT, o.reply()));
        any = true;
      } else if (o instanceof DeliveryOutcome.Deferred) {
        health.failed(new UpstreamFailure(UpstreamFailure.Kind.TEMPORARY, o.reply()));
        any = true;
      }
      if (any) {
        break;
      }
    }
    health.succeeded();
  }

  /**
   * Opens a connection (TLS and AUTH included) and closes it: what {@link Upstreams} runs while the
   * upstream is down.
   *
   * @return the failure, or empty when the upstream answered and took the credentials
   */
  public Optional<UpstreamFailure> probe() {
    try {
      SMTPTransport t = connect();
      SmtpOutcomes.closeQuietly(t);
      return Optional.empty();
    } catch (ConnectFailed e) {
      return Optional.of(e.failure);
    }
  }

  /** Whether the upstream's port accepts a TCP connection (closed at once, no SMTP). */
  public boolean reachable() {
    attempts.incrementAndGet();
    try (Socket s = new Socket()) {
      s.connect(
          new InetSocketAddress(settings.host(), settings.port()),
          (int) Math.min(settings.timeout().toMillis(), 10_000));
      return true;
    } catch (IOException e) {
      return false;
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
  private Pooled borrow(boolean check) throws ConnectFailed {
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

  /**
   * A new authenticated connection. With OAuth2, a token the server refuses is renewed once and the
   * connection opened again.
   */
  private SMTPTransport connect() throws ConnectFailed {
    SmarthostCredentials c = settings.credentials();
    String secret = null;
    try {
      if (c instanceof SmarthostCredentials.Password pw) {
        secret = pw.password().get();
      } else if (c instanceof SmarthostCredentials.OAuth2 o) {
        secret = o.tokens().current();
      }
    } catch (OAuthException e) {
      throw new ConnectFailed(FailureWords.token(e, settings));
    } catch (IllegalStateException e) {
      throw new ConnectFailed(
          new UpstreamFailure(
              UpstreamFailure.Kind.AUTH,
              "no password for the smarthost "
                  + settings.name()
                  + ": "
                  + e.getMessage()
                  + " ("
                  + FailureWords.configKey(settings.name())
                  + ")"));
    }
    try {
      return open(secret);
    } catch (jakarta.mail.AuthenticationFailedException e) {
      if (!(c instanceof SmarthostCredentials.OAuth2 o)) {
        throw new ConnectFailed(FailureWords.connecting(e, settings, settings.tls()));
      }
      // RFC 6749 §7: the token may have been revoked or expired early; one fresh one.
      log.debug("smarthost refused the access token, renewing it upstream={}", settings.name());
      try {
        return open(o.tokens().renew(secret));
      } catch (OAuthException x) {
        throw new ConnectFailed(FailureWords.token(x, settings));
      } catch (MessagingException x) {
        throw new ConnectFailed(FailureWords.connecting(x, settings, settings.tls()));
      }
    } catch (MessagingException e) {
      throw new ConnectFailed(FailureWords.connecting(e, settings, settings.tls()));
    }
  }

  private SMTPTransport open(String secret) throws MessagingException {
    attempts.incrementAndGet();
    SMTPTransport t = (SMTPTransport) session.getTransport(protocol);
    String user = settings.credentials().user();
    t.connect(settings.host(), settings.port(), user.isEmpty() ? null : user, secret);
    opened.incrementAndGet();
    log.debug(
        "smarthost connected host={} port={} opened={}", settings.host(), settings.port(), opened);
    return t;
  }

  /** A connection could not be opened; the failure says why in the operator's words. */
  private static final class ConnectFailed extends Exception {
    private static final long serialVersionUID = 1L;
    final transient UpstreamFailure failure;

    ConnectFailed(UpstreamFailure failure) {
      super(failure.advice(), null, false, false);
      this.failure = failure;
    }
  }

  /** Connection attempts so far: SMTP connections and reachability checks, failed or not. */
  public int connectionAttempts() {
    return attempts.get();
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
