// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes the bytes of one message into the spool, in order: for the SMTP session, the
 * DKIM-Signature header fields first, then the message as received. The stream goes straight to a
 * file, so a message of any size never sits in memory.
 */
@FunctionalInterface
public interface MessageWriter {
  /**
   * Writes the whole message to {@code out}. Closing {@code out} is allowed and does nothing; the
   * spool flushes and syncs it after this returns. An exception thrown here aborts the store and
   * removes what was written.
   */
  void writeTo(OutputStream out) throws IOException;
}
