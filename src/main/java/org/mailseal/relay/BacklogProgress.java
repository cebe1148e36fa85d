// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs how the queue found at start drains: a line every {@link #EVERY} while it does, and one when
 * it is empty, so an operator restarting on a large backlog sees it move. Used by the one delivery
 * thread only.
 */
final class BacklogProgress {
  private static final Logger log = LoggerFactory.getLogger(BacklogProgress.class);
  static final Duration EVERY = Duration.ofSeconds(5);

  private final int atStart;
  private final Instant started;
  private Instant lastLine;
  private boolean done;

  BacklogProgress(int atStart, Instant started) {
    this.atStart = atStart;
    this.started = started;
    this.lastLine = started;
    this.done = atStart == 0;
    if (!done) {
      log.info("backlog at start queued={}", atStart);
    }
  }

  /** Called after each delivery pass with the queue depth now. */
  void progress(int queued, Instant now) {
    if (done) {
      return;
    }
    if (queued == 0) {
      done = true;
      log.info(
          "backlog drained delivered={} seconds={}",
          atStart,
          Duration.between(started, now).toSeconds());
    } else if (!now.isBefore(lastLine.plus(EVERY))) {
      lastLine = now;
      log.info(
          "backlog draining queued={} of={} seconds={}",
          queued,
          atStart,
          Duration.between(started, now).toSeconds());
    }
  }
}
