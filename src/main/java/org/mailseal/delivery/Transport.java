// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.mailseal.spool.SpoolEntry;

/**
 * One way out for spooled mail: the file outbox, a smarthost, or the recipients' MX. A transport
 * reports an outcome for every recipient it was given and never throws for an upstream's refusal.
 */
public interface Transport {

  /** Where the message's signed bytes come from; each call opens a new stream. */
  @FunctionalInterface
  interface MessageSource {
    InputStream open() throws IOException;
  }

  /**
   * Delivers {@code entry}'s message to {@code recipients} (those still pending).
   *
   * @return an outcome per recipient address
   */
  Map<String, DeliveryOutcome> deliver(
      SpoolEntry entry, List<String> recipients, MessageSource message);
}
