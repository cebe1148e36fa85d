// SPDX-License-Identifier: Apache-2.0
/**
 * Delivery: moving spooled, signed messages out through a {@link org.mailseal.delivery.Transport}
 * (the file outbox today; smarthost and MX next) with per-recipient outcomes and the retry
 * schedule. Delivery never touches keys: the spool holds the signed bytes.
 */
package org.mailseal.delivery;
