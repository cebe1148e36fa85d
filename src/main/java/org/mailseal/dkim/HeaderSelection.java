// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The header fields of one message grouped by lower-cased name, built in one pass so that picking
 * the fields an {@code h=} list names costs one step per name, however many fields share a name
 * (RFC 6376 §5.4.2). A message with 10,000 {@code To:} fields over-signed once must not be scanned
 * 10,000 times.
 */
final class HeaderSelection {
  private final Map<String, List<HeaderField>> byKey;

  HeaderSelection(List<HeaderField> fields) {
    byKey = new HashMap<>();
    for (HeaderField f : fields) {
      byKey.computeIfAbsent(f.key(), k -> new ArrayList<>(1)).add(f);
    }
  }

  /** How many fields carry this lower-cased name. */
  int count(String key) {
    List<HeaderField> same = byKey.get(key);
    return same == null ? 0 : same.size();
  }

  /**
   * The fields {@code names} select, in the order to hash them: each name takes the last instance
   * not yet taken (bottom-up); a name with no instance left selects nothing, which is how
   * over-signing works.
   */
  List<HeaderField> select(List<String> names) {
    List<HeaderField> selected = new ArrayList<>(names.size());
    Map<String, Integer> taken = new HashMap<>();
    for (String name : names) {
      String key = name.strip().toLowerCase(Locale.ROOT);
      List<HeaderField> same = byKey.get(key);
      if (same == null) {
        continue;
      }
      int n = taken.merge(key, 1, Integer::sum);
      if (n <= same.size()) {
        selected.add(same.get(same.size() - n));
      }
    }
    return selected;
  }
}
