// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

/**
 * Where delivery to one recipient of a spooled message stands. {@link #DELIVERED} and {@link
 * #FAILED} are final: the spool refuses to move a recipient out of them, so a message that was half
 * delivered before a crash is never sent again to the recipients that already got it.
 */
public enum RecipientState {
  /** Not yet delivered; will be tried again. */
  PENDING,
  /** Accepted by the next hop; never tried again. */
  DELIVERED,
  /** Refused for good (5xx) or expired; a bounce is due unless the message is itself a bounce. */
  FAILED;

  /** Whether no further delivery attempt will be made for a recipient in this state. */
  public boolean isFinal() {
    return this != PENDING;
  }
}
