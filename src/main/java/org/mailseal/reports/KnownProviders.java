// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Mail providers whose sending hosts' reverse names end in a known suffix. An unaligned source in
 * such a network is more likely a service the owner signed up for than a forger on a hijacked home
 * router; the report says so and leaves the decision to the owner.
 */
final class KnownProviders {
  /** Reverse-name suffix to the provider's name, as their own documentation names them. */
  private static final Map<String, String> SUFFIXES =
      Map.ofEntries(
          Map.entry("google.com", "Google"),
          Map.entry("googlemail.com", "Google"),
          Map.entry("outbound.protection.outlook.com", "Microsoft 365"),
          Map.entry("outlook.com", "Microsoft"),
          Map.entry("amazonses.com", "Amazon SES"),
          Map.entry("sendgrid.net", "SendGrid"),
          Map.entry("mailgun.net", "Mailgun"),
          Map.entry("mailgun.org", "Mailgun"),
          Map.entry("mcsv.net", "Mailchimp"),
          Map.entry("mcdlv.net", "Mailchimp"),
          Map.entry("mandrillapp.com", "Mailchimp Transactional"),
          Map.entry("sparkpostmail.com", "SparkPost"),
          Map.entry("postmarkapp.com", "Postmark"),
          Map.entry("zendesk.com", "Zendesk"),
          Map.entry("freshdesk.com", "Freshdesk"),
          Map.entry("hubspotemail.net", "HubSpot"),
          Map.entry("smtp.ovh.net", "OVHcloud"),
          Map.entry("messagingengine.com", "Fastmail"));

  private KnownProviders() {}

  /** The provider whose network {@code reverseName} is in, if one is known. */
  static Optional<String> of(String reverseName) {
    String name = reverseName.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    String best = null;
    for (String suffix : SUFFIXES.keySet()) {
      if ((name.equals(suffix) || name.endsWith("." + suffix))
          && (best == null || suffix.length() > best.length())) {
        best = suffix;
      }
    }
    return Optional.ofNullable(best).map(SUFFIXES::get);
  }
}
