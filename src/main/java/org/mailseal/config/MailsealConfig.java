// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration, read once from {@code config/mailseal.yaml} by {@link ConfigLoader} and
 * checked before anything starts. Immutable; every default is filled in. Relative paths are
 * relative to the working directory.
 */
public record MailsealConfig(
    Path file,
    Server server,
    Listeners listeners,
    Keys keys,
    Spool spool,
    Delivery delivery,
    Map<String, Domain> domains) {

  public MailsealConfig {
    domains = Map.copyOf(domains);
  }

  /** The domains mailseal signs for, sorted. */
  public List<String> domainNames() {
    List<String> names = new ArrayList<>(domains.keySet());
    names.sort(null);
    return names;
  }

  public Optional<Domain> domain(String name) {
    return Optional.ofNullable(domains.get(name));
  }

  /**
   * @param hostname the name the relay gives itself in its greeting and Received fields
   */
  public record Server(String hostname) {}

  /** A listening address. */
  public record Listener(String address, int port) {}

  /**
   * @param submission port 587 style: STARTTLS required before AUTH
   * @param submissions port 465 style: implicit TLS
   */
  public record Listeners(Listener submission, Listener submissions) {}

  /**
   * @param directory the file key store's root
   * @param selectorTemplate the pattern of new selectors, {@code s{yyyyMMdd}{a}} by default
   * @param dnsExport where the records each domain should publish are kept, as {@code
   *     <domain>.zone} and {@code <domain>.json}, after every reconcile
   */
  public record Keys(Path directory, String selectorTemplate, Path dnsExport) {}

  /**
   * @param maxAge how long a message may wait before it bounces
   */
  public record Spool(Path directory, Duration maxAge) {}

  /**
   * @param route {@code file}, {@code smarthost} or {@code mx}
   * @param fileDirectory where the file route writes messages
   */
  public record Delivery(String route, Path fileDirectory, Smarthost smarthost, Mx mx) {}

  /**
   * @param tls {@code starttls} or {@code implicit}
   * @param password where the password comes from; absent without AUTH
   */
  public record Smarthost(
      String host, int port, String tls, String username, Optional<SecretRef> password) {}

  /** The relay's own outgoing addresses, for direct delivery and its SPF record. */
  public record Mx(List<String> egressIpv4, List<String> egressIpv6) {
    public Mx {
      egressIpv4 = List.copyOf(egressIpv4);
      egressIpv6 = List.copyOf(egressIpv6);
    }
  }

  /**
   * One signing domain.
   *
   * @param algorithms {@code rsa} and/or {@code ed25519}: one ACTIVE key of each signs
   * @param rsaBits size of new RSA keys: 2048, 3072 or 4096
   */
  public record Domain(
      String name, List<String> algorithms, int rsaBits, Rotation rotation, Spf spf, Dmarc dmarc) {
    public Domain {
      algorithms = List.copyOf(algorithms);
    }
  }

  /**
   * @param schedule Quartz cron expression of key generation
   * @param prepublish how long a new key is published before it may sign
   * @param grace how long a retired key stays published
   * @param dnsDeadline how long after generation a key DNS does not show raises an alert
   */
  public record Rotation(
      String schedule, Duration prepublish, Duration grace, Duration dnsDeadline) {}

  /**
   * What the domain's SPF record says.
   *
   * @param stance {@code audit} ({@code ~all}) or {@code enforce} ({@code -all})
   * @param include extra {@code include:} domains (a smarthost's own is added from the route)
   */
  public record Spf(
      String stance, List<String> include, List<String> ip4, List<String> ip6, List<String> extra) {
    public Spf {
      include = List.copyOf(include);
      ip4 = List.copyOf(ip4);
      ip6 = List.copyOf(ip6);
      extra = List.copyOf(extra);
    }
  }

  /**
   * The domain's DMARC policy (RFC 9989 tags; never pct, rf or ri).
   *
   * @param p none, quarantine or reject
   * @param sp subdomain policy, empty for the same as p
   * @param np policy for non-existent subdomains, empty when unset
   * @param testMode publishes {@code t=y}
   */
  public record Dmarc(
      String p,
      String sp,
      String np,
      boolean testMode,
      List<String> rua,
      List<String> ruf,
      String adkim,
      String aspf,
      String fo) {
    public Dmarc {
      rua = List.copyOf(rua);
      ruf = List.copyOf(ruf);
    }
  }
}
