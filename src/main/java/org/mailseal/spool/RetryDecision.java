// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.time.Instant;
import java.util.Optional;

/** What {@link RetrySchedule#next} decided for a message whose delivery was deferred. */
public sealed interface RetryDecision permits RetryDecision.RetryAt, RetryDecision.Expired {

  /** When to try again, or empty when the message is too old to try again. */
  Optional<Instant> retryAt();

  /** Try again at {@code at}. */
  record RetryAt(Instant at) implements RetryDecision {
    public RetryAt {
      if (at == null) {
        throw new IllegalArgumentException("RetryAt: at must not be null");
      }
    }

    @Override
    public Optional<Instant> retryAt() {
      return Optional.of(at);
    }
  }

  /**
   * The message has been in the spool longer than the maximum age: stop, fail the pending
   * recipients and bounce (unless it is a bounce).
   *
   * @param deadline when the maximum age was reached
   */
  record Expired(Instant deadline) implements RetryDecision {
    public Expired {
      if (deadline == null) {
        throw new IllegalArgumentException("Expired: deadline must not be null");
      }
    }

    @Override
    public Optional<Instant> retryAt() {
      return Optional.empty();
    }
  }
}
