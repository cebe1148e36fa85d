// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

/**
 * What became of one recipient in one attempt. Transient failures (4xx, refused connections,
 * timeouts) are {@link Deferred} and retried; permanent ones (5xx) are {@link Bounced}.
 */
public sealed interface DeliveryOutcome
    permits DeliveryOutcome.Delivered, DeliveryOutcome.Deferred, DeliveryOutcome.Bounced {

  /** The upstream's reply, or what happened, for the log and the envelope. */
  String reply();

  record Delivered(String reply) implements DeliveryOutcome {}

  record Deferred(String reply) implements DeliveryOutcome {}

  record Bounced(String reply) implements DeliveryOutcome {}
}
