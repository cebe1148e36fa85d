// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;

/**
 * How delivery hands a message mailseal wrote itself (a DSN) to the same path as submitted mail:
 * signed with the ACTIVE keys of its From domain and stored durably in the spool. The wiring
 * implements it with the submission signer; delivery never touches keys itself.
 */
@FunctionalInterface
public interface LocalSubmission {

  /**
   * Signs and stores {@code message} (CRLF lines, header and body) for {@code envelope}.
   *
   * @return the queue id, once the message is durable
   * @throws Refused when it cannot be signed or stored now
   */
  QueueId submit(EnvelopeDraft envelope, byte[] message) throws Refused;

  /** The message could not be signed or stored; {@link #isTemporary()} says if it may later. */
  final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean temporary;

    public Refused(String message, boolean temporary, Throwable cause) {
      super(message, cause);
      this.temporary = temporary;
    }

    public boolean isTemporary() {
      return temporary;
    }
  }
}
