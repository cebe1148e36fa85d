// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
import org.mailseal.keys.KeyAlgorithm;
import org.quartz.CronExpression;

/**
 * How one domain's keys rotate.
 *
 * @param algorithms the algorithms that must each have one ACTIVE key
 * @param rsaBits size of new RSA keys
 * @param schedule Quartz cron expression of key generation (in UTC)
 * @param prepublish how long a new key is published before it may sign
 * @param grace how long a retired key stays published before it is revoked
 * @param dnsDeadline how long after generation a key DNS still does not show raises an alert
 */
public record RotationPolicy(
    List<KeyAlgorithm> algorithms,
    int rsaBits,
    String schedule,
    Duration prepublish,
    Duration grace,
    Duration dnsDeadline) {

  public RotationPolicy {
    algorithms = List.copyOf(algorithms);
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException("RotationPolicy: algorithms must not be empty");
    }
    try {
      CronExpression.validateExpression(schedule);
    } catch (ParseException e) {
      throw new IllegalArgumentException("RotationPolicy: schedule: " + e.getMessage(), e);
    }
  }

  /** The first scheduled generation strictly after {@code after}, if the schedule has one. */
  public Optional<Instant> nextGeneration(Instant after) {
    try {
      CronExpression cron = new CronExpression(schedule);
      cron.setTimeZone(TimeZone.getTimeZone("UTC"));
      Date next = cron.getTimeAfter(Date.from(after));
      return Optional.ofNullable(next).map(Date::toInstant);
    } catch (ParseException e) {
      throw new IllegalStateException("validated at construction", e);
    }
  }
}
