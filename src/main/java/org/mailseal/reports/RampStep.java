// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.util.Optional;

/** The steps of the DMARC ramp, in order. */
public enum RampStep {
  NONE("p=none"),
  QUARANTINE_TESTING("p=quarantine; t=y"),
  QUARANTINE("p=quarantine"),
  REJECT("p=reject");

  private final String tags;

  RampStep(String tags) {
    this.tags = tags;
  }

  /** The DMARC tags of the step, as published. */
  public String tags() {
    return tags;
  }

  /** The step after this one; empty at {@code p=reject}. */
  public Optional<RampStep> next() {
    return ordinal() + 1 < values().length
        ? Optional.of(values()[ordinal() + 1])
        : Optional.empty();
  }

  /**
   * The step a published policy is on. {@code p=reject} is the end whatever {@code t=}; {@code
   * p=none} ignores it.
   */
  public static RampStep of(String p, boolean testing) {
    return switch (p) {
      case "reject" -> REJECT;
      case "quarantine" -> testing ? QUARANTINE_TESTING : QUARANTINE;
      default -> NONE;
    };
  }

  @Override
  public String toString() {
    return tags;
  }
}
