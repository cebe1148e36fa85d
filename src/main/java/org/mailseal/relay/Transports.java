// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailseal.config.MailsealConfig;
import org.mailseal.delivery.ClientTls;
import org.mailseal.delivery.ConfiguredSmarthosts;
import org.mailseal.delivery.FileTransport;
import org.mailseal.delivery.MxTransport;
import org.mailseal.delivery.RoutingTransport;
import org.mailseal.delivery.Transport;
import org.mailseal.delivery.Upstreams;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.metrics.RelayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transports of {@code delivery}: one per route in use ({@code file}, {@code smarthost}, {@code
 * mx}), shared by the default route and the per-domain {@code routes} that name it, behind a {@link
 * RoutingTransport} when there are such routes. Closing it closes the connection pools.
 */
final class Transports implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Transports.class);

  /** How long one SMTP conversation with an upstream may be silent. */
  private static final Duration UPSTREAM_TIMEOUT = Duration.ofMinutes(2);

  private final Transport transport;
  private final List<Transport> all;
  private final ConfiguredSmarthosts smarthosts;

  private Transports(Transport transport, List<Transport> all, ConfiguredSmarthosts smarthosts) {
    this.transport = transport;
    this.all = List.copyOf(all);
    this.smarthosts = smarthosts;
  }

  static Transports build(
      MailsealConfig config, Clock clock, SecureRandom random, RelayMetrics metrics)
      throws RelayException {
    MailsealConfig.Delivery d = config.delivery();
    ConfiguredSmarthosts smarthosts;
    try {
      // Every named smarthost, the default one, and the sender routes between them.
      smarthosts = ConfiguredSmarthosts.build(d, config.server().hostname(), clock, metrics);
    } catch (IOException | IllegalStateException e) {
      throw new RelayException(
          RelayException.Kind.CONFIGURATION, "delivery.smarthost: " + e.getMessage(), e);
    }
    Map<MailsealConfig.Route, Transport> byRoute = new EnumMap<>(MailsealConfig.Route.class);
    byRoute.put(d.route(), transport(config, d.route(), clock, random, smarthosts));
    Map<String, Transport> byDomain = new HashMap<>();
    for (Map.Entry<String, MailsealConfig.Route> r : d.routes().entrySet()) {
      if (!byRoute.containsKey(r.getValue())) {
        byRoute.put(r.getValue(), transport(config, r.getValue(), clock, random, smarthosts));
      }
      byDomain.put(r.getKey(), byRoute.get(r.getValue()));
    }
    Transport main = byRoute.get(d.route());
    List<Transport> all = new ArrayList<>(byRoute.values());
    all.remove(smarthosts.transport()); // closed through smarthosts
    return new Transports(
        byDomain.isEmpty() ? main : new RoutingTransport(main, byDomain), all, smarthosts);
  }

  /** The health of every smarthost, which the relay probes while one is down. */
  Upstreams upstreams() {
    return smarthosts.upstreams();
  }

  /** What delivery hands every message to. */
  Transport transport() {
    return transport;
  }

  private static Transport transport(
      MailsealConfig config,
      MailsealConfig.Route route,
      Clock clock,
      SecureRandom random,
      ConfiguredSmarthosts smarthosts)
      throws RelayException {
    MailsealConfig.Delivery d = config.delivery();
    return switch (route) {
      case FILE -> new FileTransport(d.fileDirectory());
      case SMARTHOST -> smarthosts.transport();
      case MX ->
          new MxTransport(
              new MxTransport.Settings(
                  d.mx().port(),
                  firstAddress(d.mx().egressIpv4()),
                  firstAddress(d.mx().egressIpv6()),
                  d.mx().connectionsPerDestination(),
                  UPSTREAM_TIMEOUT,
                  config.server().hostname(),
                  ClientTls.unverified()),
              DnsjavaLookup.system(),
              random,
              clock);
    };
  }

  /** The first configured egress address; the others are for SPF only. */
  private static Optional<InetAddress> firstAddress(List<String> literals) throws RelayException {
    try {
      return literals.isEmpty()
          ? Optional.empty()
          : Optional.of(InetAddress.getByName(literals.get(0)));
    } catch (IOException e) {
      throw new RelayException(
          RelayException.Kind.CONFIGURATION, "delivery.mx: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    smarthosts.close();
    for (Transport t : all) {
      if (t instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          log.debug("transport close failed", e);
        }
      }
    }
  }
}
