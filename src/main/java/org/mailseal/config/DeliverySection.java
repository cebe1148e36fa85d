// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.mailseal.config.MailsealConfig.Route;
import org.mailseal.config.MailsealConfig.SmarthostTls;
import org.mailseal.oauth.Provider;

/**
 * Reads {@code delivery}: the route, per-domain routes, the smarthost(s) with password or OAuth2,
 * sender routes and MX delivery.
 */
final class DeliverySection {
  private DeliverySection() {}

  static MailsealConfig.Delivery delivery(Fields f) {
    Route route = f.choice("route", Route.FILE);
    Fields file = f.section("file");
    Path dir = file.file("directory", "var/outbox");
    file.finish();
    Fields rf = f.section("routes");
    Map<String, Route> routes = new LinkedHashMap<>();
    for (String name : rf.keys()) {
      Optional<String> named = Values.domainKey(rf, name);
      if (named.isEmpty()) {
        continue;
      }
      String d = named.get();
      routes.put(d, rf.choice(name, route));
    }
    rf.finish();
    MailsealConfig.Smarthost smarthost =
        smarthost(
            f.section("smarthost"),
            route == Route.SMARTHOST || routes.containsValue(Route.SMARTHOST));
    Fields shs = f.section("smarthosts");
    Map<String, MailsealConfig.Smarthost> smarthosts = new LinkedHashMap<>();
    for (String name : shs.keys()) {
      if (!SMARTHOST_NAME.matcher(name).matches() || "default".equals(name)) {
        shs.problemAtKey(
            name, "a smarthost name is lower-case letters, digits and -, and not default");
        shs.raw(name);
        continue;
      }
      smarthosts.put(name, smarthost(shs.section(name), true));
    }
    shs.finish();
    Fields sr = f.section("sender-routes");
    Map<String, String> senderRoutes = new LinkedHashMap<>();
    for (String key : sr.keys()) {
      String k = key.toLowerCase(Locale.ROOT);
      String domain = k.substring(k.lastIndexOf('@') + 1);
      if (!Values.DOMAIN.matcher(domain).matches() || k.indexOf('@') != k.lastIndexOf('@')) {
        sr.problemAtKey(key, "not a sender address or domain");
        sr.raw(key);
        continue;
      }
      String target = sr.string(key, "");
      if (!"default".equals(target) && !smarthosts.containsKey(target)) {
        sr.problem(
            sr.raw(key),
            sr.path(key),
            "names no smarthost: use default or one of delivery.smarthosts " + smarthosts.keySet());
        continue;
      }
      senderRoutes.put(k, target);
    }
    boolean viaSmarthost = route == Route.SMARTHOST || routes.containsValue(Route.SMARTHOST);
    if (!senderRoutes.isEmpty() && !viaSmarthost) {
      f.problemAtKey(
          "sender-routes", "applies to the smarthost route only: set route or routes to smarthost");
    } else if (senderRoutes.containsValue("default") && smarthost.host().isEmpty()) {
      f.problemAtKey("sender-routes", "routes to default, but delivery.smarthost has no host");
    }
    sr.finish();
    Fields mx = f.section("mx");
    MailsealConfig.Mx m =
        new MailsealConfig.Mx(
            mx.strings(
                "egress-ipv4",
                v -> Values.isIp(v) && !v.contains(":") ? null : "not an IPv4 address: " + v),
            mx.strings(
                "egress-ipv6",
                v -> Values.isIp(v) && v.contains(":") ? null : "not an IPv6 address: " + v),
            mx.integer("port", 25, 1, 65535),
            mx.integer("connections-per-destination", 2, 1, 100));
    mx.finish();
    int workers = f.integer("workers", 4, 1, 256);
    Optional<Duration> warn =
        f.has("delay-warning")
            ? Optional.of(f.positiveDuration("delay-warning", Duration.ofHours(4)))
            : Optional.empty();
    f.finish();
    return new MailsealConfig.Delivery(
        route, dir, smarthost, m, workers, warn, routes, smarthosts, senderRoutes);
  }

  static final Pattern SMARTHOST_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** One smarthost: {@code delivery.smarthost} or an entry of {@code delivery.smarthosts}. */
  static MailsealConfig.Smarthost smarthost(Fields sh, boolean required) {
    String host = required ? sh.required("host") : sh.string("host", "");
    SmarthostTls tls = sh.choice("tls", SmarthostTls.STARTTLS);
    int port = sh.integer("port", tls == SmarthostTls.IMPLICIT ? 465 : 587, 1, 65535);
    String user = sh.string("username", "");
    MailsealConfig.SmarthostAuth auth = sh.choice("auth", MailsealConfig.SmarthostAuth.PASSWORD);
    if (!user.isEmpty() && tls == SmarthostTls.NONE) {
      sh.problem(
          sh.raw("username"),
          sh.path("username"),
          "AUTH would send the password in clear: with a username, tls must be starttls or"
              + " implicit");
    }
    Optional<SecretRef> password = Values.secret(sh, "password");
    Optional<MailsealConfig.OAuth2> oauth2 = Optional.empty();
    if (auth == MailsealConfig.SmarthostAuth.OAUTH2) {
      if (user.isEmpty()) {
        sh.problem(
            sh.raw("auth"), sh.path("username"), "auth: oauth2 needs the account as username");
      }
      if (password.isPresent()) {
        sh.problemAtKey(
            sh.has("password-file") ? "password-file" : "password-env",
            "auth: oauth2 uses oauth2.refresh-token-file, not a password");
      }
      oauth2 = Optional.of(oauth2(sh.section("oauth2")));
    } else {
      if (sh.has("oauth2")) {
        sh.problemAtKey("oauth2", "set auth: oauth2 to use it");
        sh.raw("oauth2");
      }
      if (!user.isEmpty() && password.isEmpty()) {
        sh.problem(sh.raw("username"), sh.path("username"), "needs password-env or password-file");
      }
    }
    Optional<Path> ca = Values.optionalPath(sh, "ca-file");
    int pool = sh.integer("pool-size", 4, 1, 100);
    sh.finish();
    return new MailsealConfig.Smarthost(host, port, tls, user, password, ca, pool, auth, oauth2);
  }

  static MailsealConfig.OAuth2 oauth2(Fields o) {
    Optional<MailsealConfig.OAuthProvider> provider =
        o.optionalChoice("provider", MailsealConfig.OAuthProvider.GOOGLE);
    String tenant = o.string("tenant", "organizations");
    if (o.has("tenant") && !provider.equals(Optional.of(MailsealConfig.OAuthProvider.MICROSOFT))) {
      o.problemAtKey("tenant", "only provider: microsoft has a tenant");
    }
    Optional<Provider> preset = provider.map(p -> Provider.valueOf(p.name()));
    URI token = uri(o, "token-endpoint", preset.map(p -> p.tokenEndpoint(tenant)));
    URI authorize =
        uri(
            o,
            "authorization-endpoint",
            Optional.of(preset.map(p -> p.authorizationEndpoint(tenant)).orElse(token)));
    String clientId = o.required("client-id");
    Optional<SecretRef> secret = Values.secret(o, "client-secret");
    String refresh = o.required("refresh-token-file");
    String scope = o.string("scope", preset.map(Provider::scope).orElse(""));
    if (scope.isBlank()) {
      o.problemMissing("scope", "is required without a provider");
    }
    o.finish();
    return new MailsealConfig.OAuth2(
        provider, tenant, token, authorize, clientId, secret, Path.of(refresh), scope);
  }

  /** An https (or, for tests on loopback, http) URL; {@code preset} when absent. */
  static URI uri(Fields f, String key, Optional<URI> preset) {
    String v = f.string(key, null);
    if (v == null) {
      if (preset.isEmpty()) {
        f.problemMissing(key, "is required without a provider");
        return URI.create("https://invalid.invalid/");
      }
      return preset.get();
    }
    try {
      URI u = new URI(v.strip());
      boolean loopback = "127.0.0.1".equals(u.getHost()) || "localhost".equals(u.getHost());
      if (!"https".equals(u.getScheme()) && !("http".equals(u.getScheme()) && loopback)) {
        f.problem(f.raw(key), f.path(key), "must be an https URL, found " + v);
      }
      return u;
    } catch (URISyntaxException e) {
      f.problem(f.raw(key), f.path(key), "not a URL: " + v);
      return URI.create("https://invalid.invalid/");
    }
  }
}
