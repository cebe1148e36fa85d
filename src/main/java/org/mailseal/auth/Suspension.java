// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.time.Instant;

/**
 * Why and since when a user may not send; lifted only by {@code mailseal users resume}.
 *
 * @param reason one line for people, e.g. {@code messages-per-day 1000 exceeded}
 */
public record Suspension(Instant since, String reason) {
  public Suspension {
    if (reason.isBlank() || reason.indexOf('\n') >= 0 || reason.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("Suspension: reason must be one non-empty line");
    }
  }
}
