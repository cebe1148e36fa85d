// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dns.TxtRecord;
import org.mailseal.fs.AtomicFiles;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.records.DnsRecord;
import org.mailseal.records.RecordPlan;
import org.mailseal.records.ZoneWriter;

/**
 * What a configured domain should publish now (its DKIM keys' records, SPF and DMARC), and the copy
 * of it kept under {@code keys.dns-export} as a BIND zone and as JSON, so automation (or a person)
 * always finds the current desired records.
 */
public final class DnsExport {
  /** TTL of the records we print; short enough that a fix propagates within the hour. */
  public static final int TTL = 3600;

  private DnsExport() {}

  /** The records {@code domain} should publish now, in the order {@code dns records} prints. */
  public static List<DnsRecord> plan(
      MailsealConfig config, KeyStore keys, String domain, Clock clock) throws KeyStoreException {
    MailsealConfig.Domain dom = config.domains().get(domain);
    if (dom.parked()) {
      return RecordPlan.parked(domain, dom.dmarc().rua());
    }
    return RecordPlan.forDomain(
        domain,
        keys.list(domain),
        Optional.of(PublishedPolicies.spf(config, dom)),
        Optional.of(PublishedPolicies.dmarc(dom)),
        clock.instant());
  }

  /** Writes {@link #plan} of {@code domain} to the export directory; returns it. */
  public static List<DnsRecord> export(
      MailsealConfig config, KeyStore keys, String domain, Clock clock)
      throws KeyStoreException, RelayException {
    Path dir = config.keys().dnsExport();
    List<DnsRecord> records = plan(config, keys, domain, clock);
    try {
      Files.createDirectories(dir);
      for (ZoneWriter.Format f : List.of(ZoneWriter.Format.BIND, ZoneWriter.Format.JSON)) {
        String name = domain + (f == ZoneWriter.Format.BIND ? ".zone" : ".json");
        AtomicFiles.write(
            dir.resolve(name),
            ZoneWriter.render(records, f).getBytes(StandardCharsets.UTF_8),
            PosixFilePermissions.fromString("rw-r--r--"));
      }
    } catch (IOException e) {
      throw new RelayException(
          RelayException.Kind.UNAVAILABLE, "cannot write " + dir + ": " + e.getMessage(), e);
    }
    return records;
  }

  /** The record to publish for {@code key}, as one zone-file line. */
  public static String zoneLine(DkimKey key) {
    return key.recordName()
        + ". "
        + TTL
        + " IN TXT "
        + TxtRecord.split(key.record().render()).zoneText();
  }

  /** The revocation record of {@code key} (an empty {@code p=}), as one zone-file line. */
  public static String revocationLine(DkimKey key) {
    return key.recordName()
        + ". "
        + TTL
        + " IN TXT "
        + TxtRecord.split("v=DKIM1; k=" + key.algorithm().tag() + "; p=").zoneText();
  }
}
