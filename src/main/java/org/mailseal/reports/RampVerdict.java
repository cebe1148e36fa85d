// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the next step of the DMARC ramp is safe, with its evidence. A day is clean when at least
 * {@link RampPolicy#alignedShare()} of its non-forged mail is aligned; a step may be taken after
 * {@link RampPolicy#daysToLeave} clean days in a row on the current step, with reports no older
 * than {@link RampPolicy#staleAfterDays()}.
 *
 * @param current the step receivers saw published in the latest report; empty without reports
 * @param next the step advised next; empty at the end of the ramp or without reports
 * @param ready whether {@code next} may be taken now
 * @param cleanDays clean days in a row on the current step, up to the latest report
 * @param neededDays clean days the step needs
 * @param lastDirtyDay the latest day whose aligned share was below the threshold
 * @param lastReportDay the latest day reports cover
 * @param summary one line for the operator: "ready for …" or "not yet …"
 */
public record RampVerdict(
    Optional<RampStep> current,
    Optional<RampStep> next,
    boolean ready,
    int cleanDays,
    int neededDays,
    Optional<LocalDate> lastDirtyDay,
    Optional<LocalDate> lastReportDay,
    String summary) {
  public RampVerdict {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(lastDirtyDay, "lastDirtyDay");
    Objects.requireNonNull(lastReportDay, "lastReportDay");
    Objects.requireNonNull(summary, "summary");
  }
}
