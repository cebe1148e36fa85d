// SPDX-License-Identifier: Apache-2.0
package org.mailseal.policy;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Values for some or all {@link SendingLimit}s: the global ones under {@code limits:} in the
 * configuration, or one user's overrides in the users file. A value of 0 means "no limit".
 */
public record SendingLimits(Map<SendingLimit, Integer> values) {
  /** No value set: a user without overrides. */
  public static final SendingLimits NONE = new SendingLimits(Map.of());

  public SendingLimits {
    EnumMap<SendingLimit, Integer> copy = new EnumMap<>(SendingLimit.class);
    for (Map.Entry<SendingLimit, Integer> e : values.entrySet()) {
      if (e.getValue() == null || e.getValue() < 0) {
        throw new IllegalArgumentException(
            "SendingLimits: " + e.getKey().key() + " must be 0 (no limit) or more");
      }
      copy.put(e.getKey(), e.getValue());
    }
    values = Collections.unmodifiableMap(copy);
  }

  /** The value set for {@code limit}, if any. */
  public OptionalInt get(SendingLimit limit) {
    Integer v = values.get(limit);
    return v == null ? OptionalInt.empty() : OptionalInt.of(v);
  }

  /** These values, with {@code overrides}' in place of those it sets. */
  public SendingLimits with(SendingLimits overrides) {
    EnumMap<SendingLimit, Integer> m = new EnumMap<>(SendingLimit.class);
    m.putAll(values);
    m.putAll(overrides.values());
    return new SendingLimits(m);
  }

  /** This with {@code limit} set to {@code value}. */
  public SendingLimits with(SendingLimit limit, int value) {
    EnumMap<SendingLimit, Integer> m = new EnumMap<>(SendingLimit.class);
    m.putAll(values);
    m.put(limit, value);
    return new SendingLimits(m);
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<SendingLimit, Integer> e : values.entrySet()) {
      sb.append(sb.length() == 0 ? "" : " ").append(e.getKey().key()).append('=');
      sb.append(e.getValue() == 0 ? "unlimited" : e.getValue().toString());
    }
    return sb.toString();
  }
}
