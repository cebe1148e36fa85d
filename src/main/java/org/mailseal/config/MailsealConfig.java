// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.SelectorTemplate;

/**
 * The whole configuration, read once from {@code config/mailseal.yaml} by {@link ConfigLoader} and
 * checked before anything starts. Immutable; every default is filled in. Every path is absolute: a
 * relative one in the file is resolved against {@link Server#baseDirectory()}.
 */
public record MailsealConfig(
    Path file,
    Server server,
    Tls tls,
    Listeners listeners,
    Users users,
    Limits limits,
    Keys keys,
    Spool spool,
    Delivery delivery,
    Admin admin,
    Optional<Web> web,
    Logging logging,
    Optional<Cluster> cluster,
    Map<String, Domain> domains,
    DmarcSettings dmarc,
    Map<String, DnsUpdate> dnsUpdates) {

  public MailsealConfig {
    domains = Map.copyOf(domains);
    dnsUpdates = Map.copyOf(dnsUpdates);
  }

  /** The {@code dns-updates} entry named {@code name}. */
  public Optional<DnsUpdate> dnsUpdate(String name) {
    return Optional.ofNullable(dnsUpdates.get(name));
  }

  /**
   * A DNS server mailseal may write to with RFC 2136 updates signed with TSIG (RFC 8945): one entry
   * of {@code dns-updates}.
   *
   * @param name the entry's name, as {@code rotation.publish} and {@code tls.acme.dns-update} give
   *     it
   * @param address the primary server's IP address
   * @param port its port, 53 unless given
   * @param zone the zone to update; empty for the domain itself
   */
  public record DnsUpdate(
      String name, String address, int port, Optional<String> zone, Tsig tsig) {}

  /**
   * A TSIG key.
   *
   * @param name the key's name, as the server knows it ({@code mailseal.})
   * @param secret base64, as {@code tsig-keygen} prints it
   * @param where {@code file:line:column: key} of the secret's setting, for messages about it
   */
  public record Tsig(String name, TsigAlgorithm algorithm, SecretRef secret, String where) {}

  /** The HMAC of a TSIG key (RFC 8945 §6). */
  public enum TsigAlgorithm implements Tagged {
    HMAC_SHA256,
    HMAC_SHA384,
    HMAC_SHA512;

    /** The name in configuration and in BIND: {@code hmac-sha256}. */
    @Override
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** Kinds of records mailseal may write to DNS itself ({@code publish-records}). */
  public enum PublishedRecord implements Tagged {
    DKIM,
    SPF,
    DMARC;

    @Override
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The domains mailseal signs for (every configured domain but the parked ones), sorted. */
  public List<String> domainNames() {
    List<String> names = new ArrayList<>();
    domains.forEach(
        (name, d) -> {
          if (!d.parked()) {
            names.add(name);
          }
        });
    names.sort(null);
    return names;
  }

  /** The parked domains: they send no mail and publish records that say so. Sorted. */
  public List<String> parkedDomainNames() {
    List<String> names = new ArrayList<>();
    domains.forEach(
        (name, d) -> {
          if (d.parked()) {
            names.add(name);
          }
        });
    names.sort(null);
    return names;
  }

  /** Every configured domain, signing and parked, sorted: what {@code dns records} covers. */
  public List<String> allDomainNames() {
    List<String> names = new ArrayList<>(domains.keySet());
    names.sort(null);
    return names;
  }

  public Optional<Domain> domain(String name) {
    return Optional.ofNullable(domains.get(name));
  }

  /**
   * @param hostname the name the relay gives itself in its greeting and Received fields
   * @param receivedClientIp whether the Received field names the client's address (privacy)
   * @param relayUnsigned whether mail of a domain without an ACTIVE key is relayed unsigned instead
   *     of refused with 451
   * @param shutdownGrace how long in-flight sessions and deliveries may take after SIGTERM
   * @param receivedAuth whether the Received field names the authenticated user and the app
   *     password used (privacy: off by default)
   * @param baseDirectory the absolute directory relative paths of the file were resolved against:
   *     {@code server.base-directory} (the installed package sets /var/lib/mailseal), else the
   *     directory above the file's own
   */
  public record Server(
      String hostname,
      boolean receivedClientIp,
      boolean relayUnsigned,
      Duration shutdownGrace,
      boolean receivedAuth,
      Path baseDirectory) {}

  /**
   * The listeners' certificate. Without {@code certificate} and {@code key}, a self-signed
   * certificate is made on first start and kept in {@code selfSignedDirectory}.
   */
  public record Tls(
      Optional<Path> certificate,
      Optional<Path> key,
      Path selfSignedDirectory,
      Optional<Acme> acme) {}

  /**
   * The listeners' certificate from an ACME CA (RFC 8555), proven with DNS-01 challenges written
   * through a {@code dns-updates} entry.
   *
   * @param directory the CA's directory URL
   * @param email the account's contact
   * @param names the names clients connect to, all in the certificate
   * @param dnsUpdate the {@code dns-updates} entry the {@code _acme-challenge} records go to
   * @param zone the zone those records are in (the entry's zone, or the signing domain the names
   *     are under)
   * @param caFile PEM certificates to trust for the CA's own HTTPS instead of the system's
   * @param renewBefore how long before expiry a certificate is renewed
   * @param stateDirectory where the account key, certificate and key are kept ({@code
   *     <tls.self-signed-directory>/acme})
   */
  public record Acme(
      java.net.URI directory,
      String email,
      List<String> names,
      String dnsUpdate,
      String zone,
      Optional<Path> caFile,
      Duration renewBefore,
      Path stateDirectory) {
    public Acme {
      names = List.copyOf(names);
    }
  }

  /**
   * A listening address.
   *
   * @param proxyProtocol whether connections start with a PROXY protocol v1/v2 header from a load
   *     balancer, whose source address then counts as the client's
   */
  public record Listener(String address, int port, boolean proxyProtocol) {}

  /**
   * @param networks the client networks (CIDR) that may relay without AUTH
   * @param origin the domain {@code mailseal sendmail} gives a bare name such as {@code root}, in
   *     the envelope and the From field (Postfix's myorigin); empty: the first signing domain
   */
  public record Trusted(Listener listener, List<String> networks, Optional<String> origin) {
    public Trusted {
      networks = List.copyOf(networks);
    }
  }

  /**
   * @param submission port 587 style: STARTTLS required before AUTH
   * @param submissions port 465 style: implicit TLS
   * @param trusted a listener without AUTH for listed networks only; off by default
   */
  public record Listeners(Listener submission, Listener submissions, Optional<Trusted> trusted) {}

  /** The users who may authenticate; the file is written by {@code mailseal users}. */
  /**
   * Who may log in.
   *
   * @param file the users file
   * @param loginCache how long a verified login (user and password) is remembered so that the same
   *     login again skips the password hash; zero hashes every login
   */
  public record Users(Path file, Duration loginCache) {}

  /**
   * What one client may do.
   *
   * @param messageSize bytes, advertised with SIZE (552 above)
   * @param recipients per message (452 above)
   * @param connections open sessions in total
   * @param connectionsPerIp open sessions per client address
   * @param timeout how long the server waits for the client's next command before closing the
   *     session (RFC 5321 §4.5.3.2.7: at least 5 minutes)
   * @param dataTimeout how long the server waits for the next piece of message data after DATA or
   *     BDAT before closing the session
   * @param headerSize bytes of the header section of a message
   * @param lineLength octets per line of a message, CRLF excluded (RFC 5322 §2.1.1: 998); 0 for no
   *     limit
   * @param messagesPerHour per authenticated user (450 4.7.1 above), as the next three: a user's
   *     own limits in the users file take precedence, and 0 is no limit (not for this one)
   * @param messagesPerDay per user, over a sliding 24 hours
   * @param recipientsPerDay per user, over a sliding 24 hours
   * @param firstTimeRecipientsPerDay recipients the user had not sent to before, per 24 hours
   * @param suspendOnExceed whether a user who reaches a limit is also suspended until {@code
   *     mailseal users resume}
   * @param commandDeadline from our reply until the next command line is complete, however the
   *     client paces its bytes ({@code timeout} bounds each read only): 421 4.4.2 above
   * @param messageDeadline from {@code 354} (or the first BDAT chunk) until the whole message is in
   * @param minDataRate bytes per second a message must average once {@code dataRateGrace} has
   *     passed (as Postfix's {@code smtpd_min_data_rate}); 0 for no rate
   * @param dataRateGrace how long a message may arrive slower than {@code minDataRate}
   * @param sessionLifetime how long one session may stay open in all
   */
  public record Limits(
      long messageSize,
      int recipients,
      int connections,
      int connectionsPerIp,
      Duration timeout,
      Duration dataTimeout,
      int headerSize,
      int lineLength,
      int messagesPerHour,
      int messagesPerDay,
      int recipientsPerDay,
      int firstTimeRecipientsPerDay,
      boolean suspendOnExceed,
      Duration commandDeadline,
      Duration messageDeadline,
      int minDataRate,
      Duration dataRateGrace,
      Duration sessionLifetime) {

    /** The documented defaults, to change one by one (tests, and the loader's fallbacks). */
    public static Builder builder() {
      return new Builder();
    }

    /** Limits from the defaults; each setter replaces one. */
    public static final class Builder {
      private long messageSize = 25L * 1024 * 1024;
      private int recipients = 100;
      private int connections = 200;
      private int connectionsPerIp = 20;
      private Duration timeout = Duration.ofMinutes(5);
      private Duration dataTimeout = Duration.ofMinutes(3);
      private int headerSize = 256 * 1024;
      private int lineLength = 998;
      private int messagesPerHour = 1000;
      // mox's defaults: 1,000 messages and 200 first-time recipients a day.
      private int messagesPerDay = 1000;
      private int recipientsPerDay = 2000;
      private int firstTimeRecipientsPerDay = 200;
      private boolean suspendOnExceed = false;
      private Duration commandDeadline = Duration.ofMinutes(5);
      private Duration messageDeadline = Duration.ofMinutes(30);
      private int minDataRate = 500;
      private Duration dataRateGrace = Duration.ofSeconds(10);
      private Duration sessionLifetime = Duration.ofHours(1);

      private Builder() {}

      public Builder messageSize(long v) {
        messageSize = v;
        return this;
      }

      public Builder recipients(int v) {
        recipients = v;
        return this;
      }

      public Builder connections(int v) {
        connections = v;
        return this;
      }

      public Builder connectionsPerIp(int v) {
        connectionsPerIp = v;
        return this;
      }

      public Builder timeout(Duration v) {
        timeout = v;
        return this;
      }

      public Builder dataTimeout(Duration v) {
        dataTimeout = v;
        return this;
      }

      public Builder headerSize(int v) {
        headerSize = v;
        return this;
      }

      public Builder lineLength(int v) {
        lineLength = v;
        return this;
      }

      public Builder messagesPerHour(int v) {
        messagesPerHour = v;
        return this;
      }

      public Builder messagesPerDay(int v) {
        messagesPerDay = v;
        return this;
      }

      public Builder recipientsPerDay(int v) {
        recipientsPerDay = v;
        return this;
      }

      public Builder firstTimeRecipientsPerDay(int v) {
        firstTimeRecipientsPerDay = v;
        return this;
      }

      public Builder suspendOnExceed(boolean v) {
        suspendOnExceed = v;
        return this;
      }

      public Builder commandDeadline(Duration v) {
        commandDeadline = v;
        return this;
      }

      public Builder messageDeadline(Duration v) {
        messageDeadline = v;
        return this;
      }

      public Builder minDataRate(int v) {
        minDataRate = v;
        return this;
      }

      public Builder dataRateGrace(Duration v) {
        dataRateGrace = v;
        return this;
      }

      public Builder sessionLifetime(Duration v) {
        sessionLifetime = v;
        return this;
      }

      public Limits build() {
        return new Limits(
            messageSize,
            recipients,
            connections,
            connectionsPerIp,
            timeout,
            dataTimeout,
            headerSize,
            lineLength,
            messagesPerHour,
            messagesPerDay,
            recipientsPerDay,
            firstTimeRecipientsPerDay,
            suspendOnExceed,
            commandDeadline,
            messageDeadline,
            minDataRate,
            dataRateGrace,
            sessionLifetime);
      }
    }
  }

  /** The admin HTTP listener ({@code /metrics}, {@code /health}, {@code /ready}). */
  public record Admin(boolean enabled, String address, int port) {}

  /**
   * The owner's dashboard ({@code web:}); absent, it is off. Served over HTTPS with the listeners'
   * certificate, to users with the admin role.
   */
  public record Web(String address, int port) {}

  /** How log lines are written. */
  public record Logging(LogFormat format) {}

  /** {@code logging.format}. */
  public enum LogFormat implements Tagged {
    /** Text lines. */
    PLAIN,
    /** One JSON object per line. */
    JSON;

    @Override
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Cluster mode: keys and rotation schedules in PostgreSQL, shared by every node.
   *
   * @param database a {@code jdbc:postgresql://} URL
   * @param keyEncryptionKey 32 bytes, base64, that encrypt private keys in the database
   */
  public record Cluster(
      String database,
      String username,
      Optional<SecretRef> password,
      SecretRef keyEncryptionKey,
      int poolSize) {}

  /**
   * @param directory the file key store's root
   * @param selectorTemplate the pattern of new selectors, {@code s{yyyyMMdd}{a}} by default
   * @param dnsExport where the records each domain should publish are kept, as {@code
   *     <domain>.zone} and {@code <domain>.json}, after every reconcile
   */
  public record Keys(
      Path directory,
      SelectorTemplate selectorTemplate,
      Path dnsExport,
      Duration reconcileInterval) {}

  /**
   * @param maxAge how long a message may wait before it bounces
   */
  public record Spool(Path directory, Duration maxAge) {}

  /**
   * @param route where mail goes unless {@code routes} names another way for its domain
   * @param fileDirectory where the file route writes messages
   * @param workers how many messages are delivered at once
   * @param delayWarning after how long a still-undelivered message earns its sender a warning;
   *     empty for none
   * @param routes per recipient domain (lower case), a route other than {@code route}
   * @param smarthosts named smarthosts besides the default {@code smarthost} ({@code
   *     delivery.smarthosts})
   * @param senderRoutes envelope sender address or domain (lower case) to the name of a smarthost
   *     in {@code smarthosts}, or {@code default} ({@code delivery.sender-routes})
   */
  public record Delivery(
      Route route,
      Path fileDirectory,
      Smarthost smarthost,
      Mx mx,
      int workers,
      Optional<Duration> delayWarning,
      Map<String, Route> routes,
      Map<String, Smarthost> smarthosts,
      Map<String, String> senderRoutes) {
    public Delivery {
      routes = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
      smarthosts = Collections.unmodifiableMap(new LinkedHashMap<>(smarthosts));
      senderRoutes = Collections.unmodifiableMap(new LinkedHashMap<>(senderRoutes));
    }

    /** Without named smarthosts or sender routes. */
    public Delivery(
        Route route,
        Path fileDirectory,
        Smarthost smarthost,
        Mx mx,
        int workers,
        Optional<Duration> delayWarning,
        Map<String, Route> routes) {
      this(route, fileDirectory, smarthost, mx, workers, delayWarning, routes, Map.of(), Map.of());
    }

    /** Whether {@code route} is the default route or the route of some domain. */
    public boolean uses(Route r) {
      return route == r || routes.containsValue(r);
    }
  }

  /** How a message leaves: {@code delivery.route} and the values of {@code delivery.routes}. */
  public enum Route implements Tagged {
    /** Written to a directory; nothing leaves the machine. */
    FILE,
    /** Through one relay (Gmail, an ISP), usually with AUTH. */
    SMARTHOST,
    /** Straight to each recipient domain's MX hosts. */
    MX;

    @Override
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param tls how the connection is protected
   * @param password where the password comes from; absent without AUTH
   * @param caFile PEM certificates to trust instead of the system's
   * @param poolSize connections kept open to the smarthost
   * @param auth AUTH with the password (when a username is set) or XOAUTH2 with {@code oauth2}
   * @param oauth2 the OAuth2 client, present exactly when {@code auth} is {@code oauth2}
   */
  public record Smarthost(
      String host,
      int port,
      SmarthostTls tls,
      String username,
      Optional<SecretRef> password,
      Optional<Path> caFile,
      int poolSize,
      SmarthostAuth auth,
      Optional<OAuth2> oauth2) {

    /** A password (or no AUTH) smarthost. */
    public Smarthost(
        String host,
        int port,
        SmarthostTls tls,
        String username,
        Optional<SecretRef> password,
        Optional<Path> caFile,
        int poolSize) {
      this(
          host,
          port,
          tls,
          username,
          password,
          caFile,
          poolSize,
          SmarthostAuth.PASSWORD,
          Optional.empty());
    }
  }

  /** {@code delivery.smarthost.auth}. */
  public enum SmarthostAuth implements Tagged {
    /** AUTH PLAIN/LOGIN with {@code password-file} or {@code password-env}. */
    PASSWORD,
    /** AUTH XOAUTH2 with an access token from {@code oauth2}. */
    OAUTH2;

    @Override
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * OAuth2 for a smarthost ({@code delivery.smarthost.oauth2}); a {@code provider} preset fills the
   * endpoints and scope that are not given.
   *
   * @param provider the preset, or empty for endpoints given by hand
   * @param tenant the Microsoft Entra tenant (id or domain; {@code organizations} by default)
   * @param clientSecret where the client secret comes from; empty for a public client
   * @param refreshTokenFile where {@code smarthost authorize} stores the refresh token (0600)
   * @param scope space-separated scopes
   */
  public record OAuth2(
      Optional<OAuthProvider> provider,
      String tenant,
      java.net.URI tokenEndpoint,
      java.net.URI authorizationEndpoint,
      String clientId,
      Optional<SecretRef> clientSecret,
      Path refreshTokenFile,
      String scope) {}

  /** {@code delivery.smarthost.oauth2.provider}. */
  public enum OAuthProvider implements Tagged {
    /** Gmail and Google Workspace. */
    GOOGLE,
    /** Microsoft 365. */
    MICROSOFT;

    @Override
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code delivery.smarthost.tls}. */
  public enum SmarthostTls implements Tagged {
    /** Plain connection upgraded with STARTTLS (port 587). */
    STARTTLS,
    /** TLS from the first byte (port 465). */
    IMPLICIT,
    /** No TLS: a relay on this host or LAN only, never with a username. */
    NONE;

    @Override
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Direct delivery: the relay's own outgoing addresses (for its SPF record too).
   *
   * @param port 25, other than in tests
   * @param connectionsPerDestination open connections to one receiving host
   */
  public record Mx(
      List<String> egressIpv4, List<String> egressIpv6, int port, int connectionsPerDestination) {
    public Mx {
      egressIpv4 = List.copyOf(egressIpv4);
      egressIpv6 = List.copyOf(egressIpv6);
    }
  }

  /**
   * One signing domain.
   *
   * @param algorithms one ACTIVE key of each signs
   * @param rsaBits size of new RSA keys: 2048, 3072 or 4096
   * @param parked the domain sends no mail: no keys, no rotation; its records say so (SPF -all,
   *     DMARC p=reject, a null MX, an empty DKIM key for every selector) and submission refuses it
   * @param publishRecords which of the domain's records mailseal writes through {@code
   *     rotation.publish} ({@code [dkim]} by default: SPF and DMARC only when the owner opts in)
   */
  public record Domain(
      String name,
      List<KeyAlgorithm> algorithms,
      int rsaBits,
      Rotation rotation,
      Spf spf,
      Dmarc dmarc,
      boolean parked,
      java.util.Set<PublishedRecord> publishRecords) {
    public Domain {
      algorithms = List.copyOf(algorithms);
      publishRecords = java.util.Set.copyOf(publishRecords);
    }
  }

  /**
   * @param schedule Quartz cron expression of key generation
   * @param prepublish how long a new key is published before it may sign
   * @param grace how long a retired key stays published
   * @param dnsDeadline how long after generation a key DNS does not show raises an alert
   * @param dnsCheck which DNS servers must show a new key before it signs
   * @param dnsServers HOST[:PORT] asked when {@code dnsCheck} is {@code servers}
   * @param publishCommand argv of a command that receives the records to add and remove, as JSON on
   *     stdin; empty for none
   * @param publish the {@code dns-updates} entry the domain's records are written to; empty for
   *     none
   */
  public record Rotation(
      String schedule,
      Duration prepublish,
      Duration grace,
      Duration dnsDeadline,
      DnsCheck dnsCheck,
      List<String> dnsServers,
      Command publishCommand,
      Optional<String> publish) {
    public Rotation {
      dnsServers = List.copyOf(dnsServers);
    }
  }

  /** {@code rotation.dns-check}: who must show a new key's record before it signs. */
  public enum DnsCheck implements Tagged {
    /** The system resolver. */
    SYSTEM,
    /** Every server of {@code rotation.dns-servers}. */
    SERVERS,
    /** Every authoritative name server of the domain. */
    AUTHORITATIVE;

    @Override
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What the domain's SPF record says.
   *
   * @param stance what the record says of senders it does not list
   * @param include extra {@code include:} domains (a smarthost's own is added from the route)
   */
  public record Spf(
      SpfStance stance,
      List<String> include,
      List<String> ip4,
      List<String> ip6,
      List<String> extra) {
    public Spf {
      include = List.copyOf(include);
      ip4 = List.copyOf(ip4);
      ip6 = List.copyOf(ip6);
      extra = List.copyOf(extra);
    }
  }

  /** {@code spf.stance}: the SPF record's last term. */
  public enum SpfStance implements Tagged {
    /** {@code ~all}: others soft-fail while every sender is being found. */
    AUDIT("~all"),
    /** {@code -all}: others fail. */
    ENFORCE("-all");

    private final String all;

    SpfStance(String all) {
      this.all = all;
    }

    /** The record's final term. */
    public String all() {
      return all;
    }

    @Override
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The domain's DMARC policy (RFC 9989 tags; never pct, rf or ri).
   *
   * @param sp subdomain policy, empty for the same as p
   * @param np policy for non-existent subdomains, empty when unset
   * @param testMode publishes {@code t=y}
   */
  public record Dmarc(
      DmarcPolicy p,
      Optional<DmarcPolicy> sp,
      Optional<DmarcPolicy> np,
      boolean testMode,
      List<String> rua,
      List<String> ruf,
      Alignment adkim,
      Alignment aspf,
      String fo,
      Ramp ramp) {
    public Dmarc {
      rua = List.copyOf(rua);
      ruf = List.copyOf(ruf);
    }
  }

  /** A DMARC policy tag value ({@code p=}, {@code sp=}, {@code np=}). */
  public enum DmarcPolicy implements Tagged {
    NONE,
    QUARANTINE,
    REJECT;

    @Override
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** DMARC identifier alignment ({@code adkim=}, {@code aspf=}). */
  public enum Alignment implements Tagged {
    /** {@code r}: the organizational domains match (the default). */
    RELAXED("r"),
    /** {@code s}: the domains are identical. */
    STRICT("s");

    private final String tag;

    Alignment(String tag) {
      this.tag = tag;
    }

    @Override
    public String tag() {
      return tag;
    }
  }

  /**
   * When the DMARC reports say the next step of the ramp is safe ({@code domains.<d>.dmarc.ramp}).
   *
   * @param alignedPercent the least share of a day's non-forged mail that must be aligned for the
   *     day to count as clean, in percent
   * @param quarantineAfter clean days at p=none before p=quarantine; t=y
   * @param dropTestAfter clean days at p=quarantine; t=y before dropping t=y
   * @param rejectAfter clean days at p=quarantine before p=reject
   */
  public record Ramp(
      double alignedPercent,
      Duration quarantineAfter,
      Duration dropTestAfter,
      Duration rejectAfter) {}

  /**
   * Settings for DMARC beyond each domain's policy ({@code dmarc}).
   *
   * @param reports where aggregate reports are kept and fetched from
   */
  public record DmarcSettings(DmarcReports reports) {}

  /**
   * Where DMARC aggregate reports are kept and fetched from ({@code dmarc.reports}).
   *
   * @param directory the file store's root (the embedded default; cluster mode uses the database)
   * @param imap the mailbox the {@code rua=} address delivers to, when reports are fetched
   */
  public record DmarcReports(Path directory, Optional<Imap> imap) {}

  /**
   * A mailbox that receives DMARC aggregate reports ({@code dmarc.reports.imap}).
   *
   * @param tls how the connection is protected
   * @param password where the password comes from
   * @param folder the folder read, {@code INBOX} by default
   * @param afterRead what happens to a message once read ({@code after-read: mark} or {@code
   *     move:<folder>})
   * @param moveTo the folder read messages move to, when {@code afterRead} is {@link
   *     AfterRead#MOVE}; empty otherwise
   * @param caFile PEM certificates to trust instead of the system's
   * @param interval how often the running relay fetches
   */
  public record Imap(
      String host,
      int port,
      ImapTls tls,
      String username,
      SecretRef password,
      String folder,
      AfterRead afterRead,
      String moveTo,
      Optional<Path> caFile,
      Duration interval) {}

  /** {@code dmarc.reports.imap.tls}. */
  public enum ImapTls implements Tagged {
    /** TLS from the first byte (IMAPS, port 993). */
    IMPLICIT,
    /** Plain connection upgraded with STARTTLS (port 143). */
    STARTTLS,
    /** No TLS: a mailbox on this host only. */
    NONE;

    @Override
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What the fetcher does with a message it has read. */
  public enum AfterRead implements Tagged {
    /** Flag it seen; only unseen messages are read. */
    MARK,
    /** Move it to another folder; every message in the folder is read. */
    MOVE;

    @Override
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
