// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One gauge name with a row per tag set, replaced as a whole by {@link #set}. A row that stays
 * keeps its gauge and only its value changes, so a scrape that runs during {@link #set} still sees
 * it. (Micrometer's {@code MultiGauge} with overwrite removes each row and registers it again: a
 * scrape in between misses the row, and an alert on an absent series fires for nothing.) Rows no
 * longer given are removed from the registry. Thread-safe.
 */
final class GaugeRows {
  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final Map<Tags, Row> rows = new HashMap<>();

  private record Row(Gauge gauge, AtomicLong bits) {}

  GaugeRows(MeterRegistry registry, String name, String description) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.name = Objects.requireNonNull(name, "name");
    this.description = Objects.requireNonNull(description, "description");
  }

  /** Makes {@code values} the rows: new tag sets are added, gone ones removed, the rest updated. */
  synchronized void set(Map<Tags, Double> values) {
    for (Map.Entry<Tags, Double> e : values.entrySet()) {
      long bits = Double.doubleToLongBits(e.getValue());
      Row row = rows.get(e.getKey());
      if (row != null) {
        row.bits().set(bits);
      } else {
        AtomicLong holder = new AtomicLong(bits);
        Gauge gauge =
            Gauge.builder(name, holder, h -> Double.longBitsToDouble(h.get()))
                .tags(e.getKey())
                .description(description)
                .strongReference(true)
                .register(registry);
        rows.put(e.getKey(), new Row(gauge, holder));
      }
    }
    for (Iterator<Map.Entry<Tags, Row>> it = rows.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Tags, Row> e = it.next();
      if (!values.containsKey(e.getKey())) {
        registry.remove(e.getValue().gauge());
        it.remove();
      }
    }
  }
}
