// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads one entry of {@code dns-updates}: an RFC 2136 server with its zone and TSIG key. */
final class DnsUpdateSection {
  private DnsUpdateSection() {}

  /** One entry of {@code dns-updates}: {@code rfc2136: {server, zone, tsig: {...}}}. */
  static Optional<MailsealConfig.DnsUpdate> dnsUpdate(String name, Fields parent) {
    Fields entry = parent.section(name);
    if (!entry.has("rfc2136")) {
      parent.problemAtKey(
          name, "needs rfc2136: {server, tsig} (RFC 2136 updates are the one kind supported)");
      entry.finish();
      return Optional.empty();
    }
    Fields r = entry.section("rfc2136");
    entry.finish();
    String server = r.required("server");
    String address = server;
    int port = 53;
    java.util.regex.Matcher m =
        Pattern.compile("\\[([0-9a-fA-F:.]+)\\](?::(\\d+))?|([0-9.]+)(?::(\\d+))?|([0-9a-fA-F:]+)")
            .matcher(server.strip());
    if (!server.isEmpty()) {
      if (m.matches()) {
        address = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(5);
        String p = m.group(2) != null ? m.group(2) : m.group(4);
        if (p != null) {
          port = p.length() <= 5 ? Integer.parseInt(p) : 0;
        }
      }
      if (!m.matches() || !Values.isIp(address) || port < 1 || port > 65535) {
        r.problem(
            r.raw("server"),
            r.path("server"),
            "must be IP[:PORT] of the zone's primary server (no host names: the address is"
                + " not looked up), e.g. 192.0.2.53:53 or [2001:db8::53]:53, found "
                + server);
      }
    }
    Optional<String> zone = Optional.empty();
    if (r.has("zone")) {
      String z = Values.stripDot(r.string("zone", "")).toLowerCase(Locale.ROOT);
      if (!Values.DOMAIN.matcher(z).matches()) {
        r.problem(r.raw("zone"), r.path("zone"), "not a zone name: " + z);
      }
      zone = Optional.of(z);
    }
    if (!r.has("tsig")) {
      r.problem(
          r.raw("server") == null ? new YamlNode.Scalar(null, false, 1, 1) : r.raw("server"),
          r.path("tsig"),
          "needs a TSIG key: tsig: {name, algorithm, secret-file or secret-env}");
    }
    Fields t = r.section("tsig");
    r.finish();
    String keyName = r.has("tsig") ? t.required("name") : "";
    if (!keyName.isEmpty()
        && !Values.DOMAIN.matcher(Values.stripDot(keyName).toLowerCase(Locale.ROOT)).matches()
        && !Values.stripDot(keyName).matches("[A-Za-z0-9_-]+")) {
      t.problem(t.raw("name"), t.path("name"), "not a key name (a DNS name), found " + keyName);
    }
    MailsealConfig.TsigAlgorithm alg =
        t.choice("algorithm", MailsealConfig.TsigAlgorithm.HMAC_SHA256);
    Optional<SecretRef> secret = Values.secret(t, "secret");
    String where = "";
    if (secret.isPresent()) {
      String key = t.has("secret-env") ? "secret-env" : "secret-file";
      where = t.where(key);
    } else if (r.has("tsig") && !t.has("secret")) {
      t.problem(
          r.raw("tsig"),
          t.path("secret-file"),
          "needs secret-file or secret-env: the key's secret, base64 as tsig-keygen prints it");
    }
    t.finish();
    return Optional.of(
        new MailsealConfig.DnsUpdate(
            name,
            address,
            port,
            zone,
            new MailsealConfig.Tsig(
                Values.stripDot(keyName) + ".",
                alg,
                secret.orElse(new SecretRef("MAILSEAL_TSIG_SECRET", null)),
                where)));
  }
}
