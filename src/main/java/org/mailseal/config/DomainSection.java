// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.mailseal.config.MailsealConfig.Alignment;
import org.mailseal.config.MailsealConfig.DmarcPolicy;
import org.mailseal.config.MailsealConfig.DnsCheck;
import org.mailseal.config.MailsealConfig.SpfStance;
import org.mailseal.keys.KeyAlgorithm;
import org.quartz.CronExpression;

/**
 * Reads one entry of {@code domains}: algorithms, rotation, SPF, DMARC, the ramp and its report
 * mailbox.
 */
final class DomainSection {
  private DomainSection() {}

  static MailsealConfig.Domain domain(
      String name, Fields f, Duration spoolMaxAge, Map<String, MailsealConfig.DnsUpdate> updates) {
    List<KeyAlgorithm> algorithms =
        f
            .strings(
                "algorithms",
                v ->
                    List.of("rsa", "ed25519").contains(v)
                        ? null
                        : "must be rsa or ed25519, found " + v)
            .stream()
            .filter(v -> List.of("rsa", "ed25519").contains(v))
            .map(KeyAlgorithm::parse)
            .distinct()
            .toList();
    if (!f.has("algorithms")) {
      algorithms = List.of(KeyAlgorithm.RSA, KeyAlgorithm.ED25519);
    } else if (algorithms.isEmpty()) {
      f.problem(f.raw("algorithms"), f.path("algorithms"), "needs rsa, ed25519 or both");
    }
    int bits = f.integer("rsa-bits", 2048, 1, 65536);
    if (bits != 2048 && bits != 3072 && bits != 4096) {
      f.problem(f.raw("rsa-bits"), f.path("rsa-bits"), "must be 2048, 3072 or 4096, found " + bits);
    }

    Fields r = f.section("rotation");
    String schedule = r.string("schedule", "0 0 3 1 1/3 ?");
    try {
      CronExpression.validateExpression(schedule);
    } catch (ParseException e) {
      r.problem(
          r.raw("schedule") == null ? new YamlNode.Scalar(null, false, 1, 1) : r.raw("schedule"),
          r.path("schedule"),
          "not a Quartz cron expression ("
              + e.getMessage()
              + "), e.g. \"0 0 3 1 1/3 ?\" for 03:00 on the 1st every quarter");
    }
    Duration grace = r.duration("grace", Duration.ofDays(14));
    Duration minimum = spoolMaxAge.plus(ConfigLoader.GRACE_MARGIN);
    if (grace.compareTo(minimum) < 0) {
      r.problem(
          r.raw("grace") == null ? new YamlNode.Scalar(null, false, 1, 1) : r.raw("grace"),
          r.path("grace"),
          "must be at least spool.max-age plus one day ("
              + minimum.toDays()
              + "d): a message may wait that long before it leaves, signed with the old key");
    }
    MailsealConfig.Rotation rotation =
        new MailsealConfig.Rotation(
            schedule,
            r.duration("prepublish", Duration.ofHours(72)),
            grace,
            r.duration("dns-deadline", Duration.ofDays(7)),
            r.choice("dns-check", DnsCheck.SYSTEM),
            r.strings("dns-servers"),
            new Command(r.strings("publish-command")),
            Optional.ofNullable(r.string("publish", null)));
    rotation
        .publish()
        .filter(p -> !updates.containsKey(p))
        .ifPresent(
            p ->
                r.problem(
                    r.raw("publish"),
                    r.path("publish"),
                    "no dns-updates entry named "
                        + p
                        + (updates.isEmpty()
                            ? " (there is no dns-updates section)"
                            : " (there are: " + String.join(", ", updates.keySet()) + ")")));
    if (rotation.dnsCheck() == DnsCheck.SERVERS && rotation.dnsServers().isEmpty()) {
      r.problem(
          r.raw("dns-check"),
          r.path("dns-servers"),
          "dns-check: servers needs dns-servers, e.g. [\"192.0.2.53\"]");
    }
    r.finish();

    Fields spf = f.section("spf");
    MailsealConfig.Spf s =
        new MailsealConfig.Spf(
            spf.choice("stance", SpfStance.AUDIT),
            spf.strings(
                "include",
                v ->
                    Values.DOMAIN.matcher(v.toLowerCase(Locale.ROOT)).matches()
                        ? null
                        : "not a domain name: " + v),
            spf.strings(
                "ip4",
                v -> Values.ipOrCidr(v, false) ? null : "not an IPv4 address or network: " + v),
            spf.strings(
                "ip6",
                v -> Values.ipOrCidr(v, true) ? null : "not an IPv6 address or network: " + v),
            spf.strings("extra"));
    spf.finish();

    Fields dm = f.section("dmarc");
    MailsealConfig.Dmarc dmarc =
        new MailsealConfig.Dmarc(
            dm.choice("p", DmarcPolicy.NONE),
            dm.optionalChoice("sp", DmarcPolicy.NONE),
            dm.optionalChoice("np", DmarcPolicy.NONE),
            dm.bool("test-mode", false),
            dm.strings("rua", DomainSection::mailto),
            dm.strings("ruf", DomainSection::mailto),
            dm.choice("adkim", Alignment.RELAXED),
            dm.choice("aspf", Alignment.RELAXED),
            dm.string("fo", "0"),
            ramp(dm.section("ramp")));
    if (!dmarc.fo().matches("[01ds](:[01ds])*")) {
      dm.problem(
          dm.raw("fo"),
          dm.path("fo"),
          "must be 0, 1, d or s, colon-separated, found " + dmarc.fo());
    }
    if (dm.has("pct") || dm.has("rf") || dm.has("ri")) {
      for (String removed : List.of("pct", "rf", "ri")) {
        if (dm.has(removed)) {
          dm.problemAtKey(
              removed, "removed by RFC 9989 (DMARCbis); use test-mode: true to try a policy");
          dm.raw(removed);
        }
      }
    }
    dm.finish();
    java.util.Set<MailsealConfig.PublishedRecord> publishRecords =
        java.util.EnumSet.of(MailsealConfig.PublishedRecord.DKIM);
    if (f.has("publish-records")) {
      publishRecords = java.util.EnumSet.noneOf(MailsealConfig.PublishedRecord.class);
      for (String v :
          f.strings(
              "publish-records",
              v ->
                  List.of("dkim", "spf", "dmarc").contains(v.strip().toLowerCase(Locale.ROOT))
                      ? null
                      : "must be dkim, spf or dmarc, found " + v)) {
        publishRecords.add(
            MailsealConfig.PublishedRecord.valueOf(v.strip().toUpperCase(Locale.ROOT)));
      }
      if (rotation.publish().isEmpty()) {
        f.problem(
            f.raw("publish-records"),
            f.path("publish-records"),
            "records are written only through rotation.publish (a dns-updates entry), which is"
                + " not set");
      }
    }
    boolean parked = f.bool("parked", false);
    if (parked) {
      for (String signing : List.of("algorithms", "rsa-bits", "rotation")) {
        if (f.has(signing)) {
          f.problemAtKey(signing, "a parked domain has no keys: remove " + signing + " or parked");
        }
      }
    }
    f.finish();
    return new MailsealConfig.Domain(
        name, algorithms, bits, rotation, s, dmarc, parked, publishRecords);
  }

  static MailsealConfig.Ramp ramp(Fields f) {
    String percent = f.string("aligned-percent", "99");
    double share = 99;
    try {
      share = Double.parseDouble(percent);
      if (!(share > 0 && share <= 100)) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      f.problem(
          f.raw("aligned-percent"),
          f.path("aligned-percent"),
          "must be a percentage above 0 and at most 100, e.g. 99, found " + percent);
    }
    MailsealConfig.Ramp r =
        new MailsealConfig.Ramp(
            share,
            days(f, "quarantine-after", 14),
            days(f, "drop-test-after", 14),
            days(f, "reject-after", 30));
    f.finish();
    return r;
  }

  static Duration days(Fields f, String key, int fallback) {
    Duration d = f.duration(key, Duration.ofDays(fallback));
    if (d.toDays() < 1) {
      f.problem(f.raw(key), f.path(key), "must be at least one day, e.g. 14d");
    }
    return d;
  }

  static MailsealConfig.DmarcReports dmarcReports(Fields dmarc) {
    Fields f = dmarc.section("reports");
    Path dir = f.file("directory", "var/reports");
    Optional<MailsealConfig.Imap> imap = Optional.empty();
    if (f.has("imap")) {
      imap = Optional.of(imap(f.section("imap")));
    }
    f.finish();
    dmarc.finish();
    return new MailsealConfig.DmarcReports(dir, imap);
  }

  static MailsealConfig.Imap imap(Fields f) {
    String host = f.required("host");
    MailsealConfig.ImapTls tls = f.choice("tls", MailsealConfig.ImapTls.IMPLICIT);
    int port = f.integer("port", tls == MailsealConfig.ImapTls.IMPLICIT ? 993 : 143, 1, 65535);
    String user = f.required("username");
    Optional<SecretRef> password = Values.secret(f, "password");
    if (password.isEmpty()) {
      f.problem(f.raw("username"), f.path("password-file"), "needs password-env or password-file");
    }
    String folder = f.string("folder", "INBOX");
    String after = f.string("after-read", "mark");
    MailsealConfig.AfterRead afterRead = MailsealConfig.AfterRead.MARK;
    String moveTo = "";
    if (after.startsWith("move:") && !after.substring(5).isBlank()) {
      moveTo = after.substring(5).strip();
      afterRead = MailsealConfig.AfterRead.MOVE;
    } else if (!"mark".equals(after)) {
      f.problem(
          f.raw("after-read"),
          f.path("after-read"),
          "must be mark (flag read messages seen) or move:<folder>, found " + after);
    }
    Optional<Path> ca = Values.optionalPath(f, "ca-file");
    Duration interval = f.duration("interval", Duration.ofHours(1));
    f.finish();
    return new MailsealConfig.Imap(
        host,
        port,
        tls,
        user,
        password.orElse(new SecretRef("MAILSEAL_DMARC_IMAP_PASSWORD", null)),
        folder,
        afterRead,
        moveTo,
        ca,
        interval);
  }

  static String mailto(String v) {
    String t = v.strip();
    if (!t.toLowerCase(Locale.ROOT).startsWith("mailto:")
        || !Values.ADDRESS.matcher(t.substring(7)).matches()) {
      return "must be a mailto: address, e.g. mailto:dmarc@example.com, found " + v;
    }
    return null;
  }
}
