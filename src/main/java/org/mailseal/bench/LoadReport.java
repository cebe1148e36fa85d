// SPDX-License-Identifier: Apache-2.0
package org.mailseal.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of one load run.
 *
 * @param attempted messages for which MAIL FROM was sent
 * @param accepted messages the server answered {@code 250} after DATA
 * @param errors failures by reply code ({@code "451"}, {@code "421"}), or {@code "io"} for a
 *     connection that failed, {@code "connect"} for one that could not be opened or authenticated
 * @param setup from the first connection until every connection was open and authenticated
 * @param elapsed from then to the last reply: the rate is over this time
 * @param p50Micros median end-of-DATA to reply latency
 * @param p99Micros 99th percentile of the same
 * @param maxMicros the largest one
 */
public record LoadReport(
    long attempted,
    long accepted,
    Map<String, Long> errors,
    Duration setup,
    Duration elapsed,
    long p50Micros,
    long p99Micros,
    long maxMicros) {

  public LoadReport {
    errors = Map.copyOf(errors);
  }

  /** Accepted messages per second of the run. */
  public double messagesPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : accepted / s;
  }

  /** Failures of every kind. */
  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** One stable line for scripts: {@code RESULT accepted=… msgs_per_s=… p50_ms=…}. */
  public String render() {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "RESULT attempted=%d accepted=%d errors=%d setup_s=%.3f seconds=%.3f msgs_per_s=%.1f"
                    + " p50_ms=%.3f p99_ms=%.3f max_ms=%.3f",
                attempted,
                accepted,
                errorCount(),
                setup.toNanos() / 1e9,
                elapsed.toNanos() / 1e9,
                messagesPerSecond(),
                p50Micros / 1000.0,
                p99Micros / 1000.0,
                maxMicros / 1000.0));
    new TreeMap<>(errors).forEach((k, v) -> sb.append(" error_").append(k).append('=').append(v));
    return sb.toString();
  }
}
