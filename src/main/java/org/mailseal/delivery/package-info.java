// SPDX-License-Identifier: Apache-2.0
/**
 * Delivery: moving spooled, signed messages out through a {@link org.mailseal.delivery.Transport}
 * (file outbox, smarthost, or the recipients' MX; {@link org.mailseal.delivery.RoutingTransport}
 * picks one per recipient domain) with per-recipient outcomes and the retry schedule, and telling
 * senders what failed or is delayed ({@link org.mailseal.delivery.Bouncer}, RFC 3464 DSNs).
 * Delivery never touches keys: the spool holds the signed bytes, and a DSN is signed by whoever
 * implements {@link org.mailseal.delivery.LocalSubmission} (the wiring, with the submission
 * signer).
 */
package org.mailseal.delivery;
