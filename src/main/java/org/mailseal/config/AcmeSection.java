// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Reads {@code tls.acme}: the ACME directory, account, names, and where DNS-01 records go. */
final class AcmeSection {
  private AcmeSection() {}

  static MailsealConfig.Acme acme(
      Fields f, Path stateDirectory, Map<String, MailsealConfig.DnsUpdate> updates) {
    String dir = f.required("directory");
    java.net.URI uri = java.net.URI.create("https://invalid.invalid/");
    try {
      uri = new java.net.URI(dir);
      if (!dir.isEmpty() && (!"https".equals(uri.getScheme()) || uri.getHost() == null)) {
        throw new java.net.URISyntaxException(dir, "not an https URL");
      }
    } catch (java.net.URISyntaxException e) {
      f.problem(
          f.raw("directory"),
          f.path("directory"),
          "must be the CA's https directory URL, e.g."
              + " https://acme-v02.api.letsencrypt.org/directory, found "
              + dir);
    }
    String email = f.required("email");
    if (!email.isEmpty() && !Values.ADDRESS.matcher(email).matches()) {
      f.problem(f.raw("email"), f.path("email"), "not an email address: " + email);
    }
    List<String> names =
        f.strings(
            "names",
            v -> {
              String n = v.strip().toLowerCase(Locale.ROOT);
              return Values.DOMAIN.matcher(n.startsWith("*.") ? n.substring(2) : n).matches()
                  ? null
                  : "not a host name: " + v;
            });
    if (names.isEmpty() && !f.has("names")) {
      f.problem(
          f.raw("directory") == null ? new YamlNode.Scalar(null, false, 1, 1) : f.raw("directory"),
          f.path("names"),
          "list the names clients connect to, e.g. [mail.example.com]");
    }
    String update = f.required("dns-update");
    if (!update.isEmpty() && !updates.containsKey(update)) {
      f.problem(
          f.raw("dns-update"),
          f.path("dns-update"),
          "no dns-updates entry named "
              + update
              + (updates.isEmpty()
                  ? " (there is no dns-updates section: DNS-01 challenges are written through one)"
                  : " (there are: " + String.join(", ", updates.keySet()) + ")"));
    }
    Optional<Path> ca = Values.optionalPath(f, "ca-file");
    Duration renewBefore = f.duration("renew-before", Duration.ofDays(30));
    f.finish();
    return new MailsealConfig.Acme(
        uri,
        email,
        names.stream().map(n -> n.strip().toLowerCase(Locale.ROOT)).toList(),
        update,
        "",
        ca,
        renewBefore,
        stateDirectory);
  }

  /** The zone the challenge records go to: the entry's, or the signing domain over every name. */
  static MailsealConfig.Acme acmeZone(
      MailsealConfig.Acme a,
      Fields f,
      Map<String, MailsealConfig.DnsUpdate> updates,
      java.util.Set<String> domains) {
    Optional<String> zone = Optional.ofNullable(updates.get(a.dnsUpdate())).flatMap(u -> u.zone());
    String chosen = zone.orElse("");
    for (String n : a.names()) {
      String bare = n.startsWith("*.") ? n.substring(2) : n;
      if (zone.isPresent()) {
        if (!bare.equals(chosen) && !bare.endsWith("." + chosen)) {
          f.problem(
              f.raw("names"),
              f.path("names"),
              n + " is not in zone " + chosen + " of dns-updates." + a.dnsUpdate());
        }
        continue;
      }
      String best = "";
      for (String d : domains) {
        if ((bare.equals(d) || bare.endsWith("." + d)) && d.length() > best.length()) {
          best = d;
        }
      }
      if (best.isEmpty()) {
        f.problem(
            f.raw("names"),
            f.path("names"),
            n
                + " is under no signing domain: set dns-updates."
                + a.dnsUpdate()
                + ".rfc2136.zone to its zone");
      } else if (!chosen.isEmpty() && !chosen.equals(best)) {
        f.problem(
            f.raw("names"),
            f.path("names"),
            "names are in two zones ("
                + chosen
                + ", "
                + best
                + "): one dns-updates entry with a zone covers one zone");
      } else {
        chosen = best;
      }
    }
    return new MailsealConfig.Acme(
        a.directory(),
        a.email(),
        a.names(),
        a.dnsUpdate(),
        chosen,
        a.caFile(),
        a.renewBefore(),
        a.stateDirectory());
  }
}
