// SPDX-License-Identifier: Apache-2.0
package org.mailseal.policy;

import java.util.Optional;

/** One per-user sending limit; its key is the name in the configuration and the users file. */
public enum SendingLimit {
  MESSAGES_PER_HOUR("messages-per-hour"),
  MESSAGES_PER_DAY("messages-per-day"),
  RECIPIENTS_PER_DAY("recipients-per-day"),
  FIRST_TIME_RECIPIENTS_PER_DAY("first-time-recipients-per-day");

  private final String key;

  SendingLimit(String key) {
    this.key = key;
  }

  /** The name as written in YAML and in the metric's {@code limit} label. */
  public String key() {
    return key;
  }

  /** The limit named {@code key}, if any. */
  public static Optional<SendingLimit> byKey(String key) {
    for (SendingLimit l : values()) {
      if (l.key.equals(key)) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }
}
