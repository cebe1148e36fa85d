// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.mailseal.config.MailsealConfig;
import org.mailseal.config.SecretRef;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.oauth.AccessTokens;
import org.mailseal.oauth.OAuthClient;
import org.mailseal.oauth.RefreshTokenFile;
import org.mailseal.oauth.TokenClient;
import org.mailseal.spool.SpoolEntry;

/**
 * The smarthosts of {@code delivery.smarthost} and {@code delivery.smarthosts}, built once: one
 * {@link SmarthostTransport} each (its own pool, limits and health), the {@link
 * SenderRoutingTransport} over them that the {@code smarthost} route uses, and the {@link
 * Upstreams} that watch them. Close it to close every pool.
 */
public final class ConfiguredSmarthosts implements AutoCloseable {
  /** How long one SMTP read, write or connect may take. */
  static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final Map<String, SmarthostTransport> byName;
  private final Transport route;
  private final Upstreams upstreams;

  private ConfiguredSmarthosts(
      Map<String, SmarthostTransport> byName, Transport route, Upstreams upstreams) {
    this.byName = byName;
    this.route = route;
    this.upstreams = upstreams;
  }

  /**
   * Builds every configured smarthost.
   *
   * @param heloName the name given in EHLO ({@code server.hostname})
   * @param clock for token expiry and the probe schedule
   * @param metrics where upstream health is exported
   * @throws IOException when a {@code ca-file} cannot be read
   */
  public static ConfiguredSmarthosts build(
      MailsealConfig.Delivery d, String heloName, Clock clock, RelayMetrics metrics)
      throws IOException {
    Map<String, SmarthostTransport> byName = new LinkedHashMap<>();
    if (!d.smarthost().host().isEmpty()) {
      byName.put(
          SmarthostTransport.DEFAULT_NAME,
          transport(SmarthostTransport.DEFAULT_NAME, d.smarthost(), heloName, clock));
    }
    for (Map.Entry<String, MailsealConfig.Smarthost> e : d.smarthosts().entrySet()) {
      byName.put(e.getKey(), transport(e.getKey(), e.getValue(), heloName, clock));
    }
    Map<String, Transport> bySender = new HashMap<>();
    d.senderRoutes().forEach((sender, name) -> bySender.put(sender, byName.get(name)));
    Transport fallback = byName.get(SmarthostTransport.DEFAULT_NAME);
    Transport route;
    if (bySender.isEmpty()) {
      route = fallback;
    } else {
      route = new SenderRoutingTransport(fallback == null ? new Unrouted() : fallback, bySender);
    }
    return new ConfiguredSmarthosts(
        byName,
        route == null ? new Unrouted() : route,
        new Upstreams(new ArrayList<>(byName.values()), clock, metrics));
  }

  /** One smarthost from its configuration. */
  public static SmarthostTransport transport(
      String name, MailsealConfig.Smarthost sh, String heloName, Clock clock) throws IOException {
    return new SmarthostTransport(
        new SmarthostTransport.Settings(
            name,
            sh.host(),
            sh.port(),
            SmarthostTransport.Security.valueOf(sh.tls().name()),
            credentials(name, sh, clock),
            sh.caFile().isPresent()
                ? CheckedTls.fromCaFile(sh.caFile().get())
                : CheckedTls.systemTrust(),
            sh.poolSize(),
            TIMEOUT,
            heloName),
        clock);
  }

  /** The command that stores a new refresh token for smarthost {@code name}. */
  public static String authorizeCommand(String name) {
    return "mailseal smarthost authorize"
        + (SmarthostTransport.DEFAULT_NAME.equals(name) ? "" : " --smarthost " + name);
  }

  /** The OAuth client of an {@code auth: oauth2} smarthost. */
  public static OAuthClient oauthClient(MailsealConfig.OAuth2 o) {
    Optional<Supplier<String>> secret = o.clientSecret().map(ref -> ref::resolve);
    String extra =
        o.provider()
            .map(p -> org.mailseal.oauth.Provider.valueOf(p.name()).extraAuthorizationParameters())
            .orElse("");
    return new OAuthClient(
        o.tokenEndpoint(), o.authorizationEndpoint(), o.clientId(), secret, o.scope(), extra);
  }

  private static SmarthostCredentials credentials(
      String name, MailsealConfig.Smarthost sh, Clock clock) {
    if (sh.oauth2().isPresent()) {
      MailsealConfig.OAuth2 o = sh.oauth2().get();
      AccessTokens tokens =
          new AccessTokens(
              name,
              new TokenClient(oauthClient(o)),
              new RefreshTokenFile(o.refreshTokenFile()),
              clock);
      return new SmarthostCredentials.OAuth2(sh.username(), tokens, authorizeCommand(name));
    }
    if (sh.username().isEmpty() || sh.password().isEmpty()) {
      return new SmarthostCredentials.None();
    }
    SecretRef ref = sh.password().get();
    String source =
        ref.file() != null ? "password-file " + ref.file() : "password-env " + ref.env();
    return new SmarthostCredentials.Password(sh.username(), ref::resolve, source);
  }

  /** What the {@code smarthost} route (and recipient routes to it) delivers through. */
  public Transport transport() {
    return route;
  }

  /** Every smarthost by name ({@value SmarthostTransport#DEFAULT_NAME} for the default). */
  public Map<String, SmarthostTransport> byName() {
    return byName;
  }

  /** The health watcher: start it, register its recovery listener, give /ready its lines. */
  public Upstreams upstreams() {
    return upstreams;
  }

  @Override
  public void close() {
    byName.values().forEach(SmarthostTransport::close);
  }

  /** Senders with no smarthost (none configured as default): deferred, never lost. */
  private static final class Unrouted implements Transport {
    @Override
    public Map<String, DeliveryOutcome> deliver(
        SpoolEntry entry, List<String> recipients, MessageSource message) {
      Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
      recipients.forEach(
          r ->
              out.put(
                  r,
                  new DeliveryOutcome.Deferred(
                      "4.3.5 no smarthost for sender <" + entry.sender() + ">")));
      return out;
    }
  }
}
