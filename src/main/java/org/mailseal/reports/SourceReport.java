// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.util.List;
import java.util.Objects;

/**
 * What the reports say of one sending address over a period.
 *
 * @param ip the address
 * @param reverseName its PTR name, empty when none or unknown
 * @param orgs the organisations that reported its mail, sorted
 * @param messages messages reported
 * @param aligned of them, those that passed DMARC: DKIM or SPF passed, aligned with the From domain
 * @param dkimAligned of them, those with an aligned DKIM pass
 * @param spfAligned of them, those with an aligned SPF pass
 * @param dkim the DKIM results seen, {@code d=domain s=selector result}, sorted
 * @param spf the SPF results seen, {@code domain result}, sorted
 * @param classification who the address is
 */
public record SourceReport(
    String ip,
    String reverseName,
    List<String> orgs,
    long messages,
    long aligned,
    long dkimAligned,
    long spfAligned,
    List<String> dkim,
    List<String> spf,
    Classification classification) {
  public SourceReport {
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(reverseName, "reverseName");
    orgs = List.copyOf(orgs);
    dkim = List.copyOf(dkim);
    spf = List.copyOf(spf);
    Objects.requireNonNull(classification, "classification");
  }

  public long unaligned() {
    return messages - aligned;
  }
}
