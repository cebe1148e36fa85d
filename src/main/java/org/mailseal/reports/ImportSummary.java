// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.util.ArrayList;
import java.util.List;

/**
 * What an import did: reports stored, reports already there, and inputs set aside with their
 * reasons.
 */
public record ImportSummary(int added, int duplicates, List<ReadOutcome.SetAside> setAside) {
  public ImportSummary {
    setAside = List.copyOf(setAside);
  }

  public static final ImportSummary EMPTY = new ImportSummary(0, 0, List.of());

  public ImportSummary plus(ImportSummary o) {
    List<ReadOutcome.SetAside> all = new ArrayList<>(setAside);
    all.addAll(o.setAside);
    return new ImportSummary(added + o.added, duplicates + o.duplicates, all);
  }

  /** One line: {@code 3 reports added, 1 already known, 2 set aside}. */
  public String line() {
    return added
        + (added == 1 ? " report" : " reports")
        + " added, "
        + duplicates
        + " already known, "
        + setAside.size()
        + " set aside";
  }
}
