// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.mailseal.auth.AccountLimits;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.UserStore;
import org.mailseal.config.MailsealConfig;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.policy.SenderPattern;
import org.mailseal.policy.SenderPolicy;
import org.mailseal.policy.SendingLimit;
import org.mailseal.policy.SendingLimits;
import org.mailseal.policy.UserLimiter;
import org.mailseal.spool.Spool;
import org.mailseal.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.internal.proxy.ProxyHandler;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The submission service on SubEthaSMTP: the STARTTLS listener (587; TLS required before AUTH, AUTH
 * before MAIL), the implicit-TLS listener (465), and optionally a trusted-network listener without
 * AUTH. Every listener shares one {@link SessionGate}, one policy and one spool.
 *
 * <p>Call order: {@link #start()}, then {@link #stop(Duration)} once.
 */
public final class SubmissionServer {
  private static final Logger log = LoggerFactory.getLogger(SubmissionServer.class);

  /** Messages up to this size are held in memory between DATA and the spool write. */
  static final int SPILL_THRESHOLD = 1024 * 1024;

  private final SessionGate gate;
  private final List<SMTPServer> servers = new ArrayList<>();
  private final List<String> names = new ArrayList<>();

  /**
   * What the listeners are and what one client may do: the parts of the configuration the server
   * reads, so a test can start one without a configuration file.
   *
   * @param hostname the name in the greeting and the Received field
   * @param receivedClientIp whether the Received field names the client's address
   * @param relayUnsigned whether a domain without an ACTIVE key is relayed unsigned (else 451)
   * @param domains the signing domains (what the trusted listener may send as)
   * @param receivedAuth whether the Received field names the user and the app password used
   */
  public record Options(
      String hostname,
      boolean receivedClientIp,
      boolean relayUnsigned,
      MailsealConfig.Listeners listeners,
      MailsealConfig.Limits limits,
      List<String> domains,
      List<String> parked,
      boolean receivedAuth) {
    public Options {
      domains = List.copyOf(domains);
      parked = List.copyOf(parked);
    }

    /** Whether {@code domain} or a parent of it is parked. */
    boolean isParked(String domain) {
      for (String p : parked) {
        if (domain.equals(p) || domain.endsWith("." + p)) {
          return true;
        }
      }
      return false;
    }

    /** The options the configuration gives. */
    public static Options of(MailsealConfig c) {
      return new Options(
          c.server().hostname(),
          c.server().receivedClientIp(),
          c.server().relayUnsigned(),
          c.listeners(),
          c.limits(),
          c.domainNames(),
          c.parkedDomainNames(),
          c.server().receivedAuth());
    }
  }

  /** What the server needs from the rest of the relay. */
  public record Parts(
      Options options,
      ServerTls tls,
      UserStore users,
      Authenticator authenticator,
      SigningKeys keys,
      Spool spool,
      Path spillDirectory,
      RelayMetrics metrics,
      Clock clock,
      SecureRandom random) {}

  public SubmissionServer(Parts p) {
    Options c = p.options();
    MailsealConfig.Limits limits = c.limits();
    this.gate = new SessionGate(limits.connections(), limits.connectionsPerIp(), p.metrics());
    Predicate<String> signed = d -> p.keys().signingDomain(d).isPresent();
    List<SenderPattern> trustedSenders = new ArrayList<>();
    for (String d : c.domains()) {
      trustedSenders.add(SenderPattern.parse(d));
      trustedSenders.add(SenderPattern.parse("*." + d));
    }
    SubmissionContext ctx =
        new SubmissionContext(
            p.users(),
            new SenderPolicy(signed, c::isParked),
            accountLimits(p.users(), limits, p.clock()),
            p.keys(),
            new SubmissionContext.Limits(
                limits.messageSize(), limits.headerSize(), limits.lineLength()),
            c.relayUnsigned(),
            new TraceFields(
                c.hostname(), c.receivedClientIp(), c.receivedAuth(), p.clock(), p.random()),
            p.spool(),
            SPILL_THRESHOLD,
            p.spillDirectory(),
            p.metrics(),
            trustedSenders);
    p.metrics().usersFileErrors(p.users()::reloadFailures);
    SaslAuthentication sasl = new SaslAuthentication(logins(p.authenticator(), p.metrics()));

    MailsealConfig.Listener sub = c.listeners().submission();
    servers.add(
        built(
            base(c, sub, ctx, false)
                .authenticationHandlerFactory(sasl)
                .requireAuth(true)
                .enableTLS(true)
                .requireTLS(true)
                .startTlsSocketFactory(p.tls()::startTls)
                .sessionHandler(gate.handler(SessionGate.anyClient(), "")),
            limits.dataTimeout()));
    names.add("submission " + sub.address() + ":" + sub.port() + " (STARTTLS)");

    MailsealConfig.Listener subs = c.listeners().submissions();
    servers.add(
        built(
            implicitTls(base(c, subs, ctx, false), subs, p.tls())
                .authenticationHandlerFactory(sasl)
                .requireAuth(true)
                .sessionHandler(gate.handler(SessionGate.anyClient(), "")),
            limits.dataTimeout()));
    names.add("submissions " + subs.address() + ":" + subs.port() + " (implicit TLS)");

    Optional<MailsealConfig.Trusted> trusted = c.listeners().trusted();
    if (trusted.isPresent()) {
      MailsealConfig.Listener t = trusted.get().listener();
      servers.add(
          built(
              base(c, t, ctx, true)
                  .enableTLS(true)
                  .startTlsSocketFactory(p.tls()::startTls)
                  .sessionHandler(
                      gate.handler(
                          SessionGate.networks(trusted.get().networks()),
                          "5.7.1 This listener serves only the configured trusted networks")),
              limits.dataTimeout()));
      names.add("trusted " + t.address() + ":" + t.port() + " " + trusted.get().networks());
    }
  }

  private static SMTPServer.Builder base(
      Options c, MailsealConfig.Listener l, SubmissionContext ctx, boolean trusted) {
    MailsealConfig.Limits limits = c.limits();
    SMTPServer.Builder b =
        SMTPServer.port(l.port())
            .bindAddress(address(l.address()))
            .hostName(c.hostname())
            .softwareName("mailseal")
            .insertReceivedHeaders(false)
            .fromAddressValidator(a -> true)
            // The gate counts sessions across listeners; this only bounds one listener's threads.
            .maxConnections(limits.connections() + 1)
            .connectionTimeoutMs((int) Math.min(Integer.MAX_VALUE, limits.timeout().toMillis()))
            .maxRecipients(limits.recipients())
            .maxMessageSize((int) Math.min(Integer.MAX_VALUE, limits.messageSize()))
            .messageHandlerFactory(mc -> new SubmissionHandler(ctx, mc, trusted));
    b.proxyHandler(l.proxyProtocol() ? ProxyProtocol.plain() : ProxyHandler.NOP);
    return b;
  }

  /**
   * TLS from the first byte: the TLS server socket, or, behind a PROXY-protocol balancer, a plain
   * socket whose header is read before the handshake (see {@link ProxyProtocol}).
   */
  private static SMTPServer.Builder implicitTls(
      SMTPServer.Builder b, MailsealConfig.Listener l, ServerTls tls) {
    if (l.proxyProtocol()) {
      return b.proxyHandler(ProxyProtocol.thenTls(tls));
    }
    return b.serverSocketFactory(tls::serverSocket);
  }

  private static AccountLimits accountLimits(
      UserStore users, MailsealConfig.Limits l, Clock clock) {
    SendingLimits global =
        new SendingLimits(
            java.util.Map.of(
                SendingLimit.MESSAGES_PER_HOUR, l.messagesPerHour(),
                SendingLimit.MESSAGES_PER_DAY, l.messagesPerDay(),
                SendingLimit.RECIPIENTS_PER_DAY, l.recipientsPerDay(),
                SendingLimit.FIRST_TIME_RECIPIENTS_PER_DAY, l.firstTimeRecipientsPerDay()));
    return new AccountLimits(users, new UserLimiter(global, clock), l.suspendOnExceed(), clock);
  }

  private static Logins logins(Authenticator auth, RelayMetrics metrics) {
    return (user, password, client) -> {
      Authenticator.Outcome o = auth.login(user, password, client);
      if (o instanceof Authenticator.Success s) {
        return new Logins.Accepted(s.user().name(), s.appPassword());
      }
      metrics.authFailure();
      Authenticator.Failure f = (Authenticator.Failure) o;
      return new Logins.Refused(f.reply().code(), f.reply().message());
    };
  }

  private static InetAddress address(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + text, e);
    }
  }

  /** Builds one listener with our SMTP verbs in place of SubEthaSMTP's (see {@link SmtpVerbs}). */
  private static SMTPServer built(SMTPServer.Builder b, Duration dataTimeout) {
    SMTPServer server = b.build();
    SmtpVerbs.install(server, dataTimeout);
    return server;
  }

  /**
   * Opens every listener.
   *
   * @throws IOException naming the listener that cannot bind (address in use, no permission)
   */
  public void start() throws IOException {
    for (int i = 0; i < servers.size(); i++) {
      try {
        servers.get(i).start();
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        for (int j = 0; j < i; j++) {
          servers.get(j).stop();
        }
        throw new IOException(
            "cannot listen on " + names.get(i) + ": " + cause.getMessage(), cause);
      }
      log.info("listening {}", names.get(i));
    }
  }

  /** The ports actually bound, in listener order (submission, submissions, trusted). */
  public List<Integer> ports() {
    return servers.stream().map(SMTPServer::getPortAllocated).toList();
  }

  public boolean isRunning() {
    return servers.stream().allMatch(SMTPServer::isRunning);
  }

  /** Sessions open now. */
  public int openSessions() {
    return gate.open();
  }

  /**
   * Refuses new sessions with {@code 421}, waits up to {@code grace} for open ones to end, then
   * closes every listener and what is still open.
   */
  public void stop(Duration grace) {
    gate.drain();
    try {
      int left = gate.awaitIdle(grace.toMillis());
      if (left > 0) {
        log.warn("shutdown: {} sessions still open after {}; closing them", left, grace);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SMTPServer s : servers) {
      s.stop();
    }
  }
}
