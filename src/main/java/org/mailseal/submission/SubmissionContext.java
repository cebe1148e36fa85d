// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.nio.file.Path;
import java.util.List;
import org.mailseal.auth.AccountLimits;
import org.mailseal.auth.UserStore;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.policy.SenderPattern;
import org.mailseal.policy.SenderPolicy;
import org.mailseal.spool.Spool;

/**
 * What every session's handler shares: built once by the server.
 *
 * @param trustedSenders what the trusted-network listener may send as (every signing domain)
 */
record SubmissionContext(
    UserStore users,
    SenderPolicy policy,
    AccountLimits accounts,
    SigningKeys keys,
    Limits limits,
    boolean relayUnsigned,
    TraceFields trace,
    Spool spool,
    int spillThreshold,
    Path spillDirectory,
    RelayMetrics metrics,
    List<SenderPattern> trustedSenders) {

  /**
   * The per-message limits the handler enforces itself.
   *
   * @param lineLength octets per line, CRLF excluded; 0 for no limit
   */
  record Limits(long messageSize, int headerSize, int lineLength) {}
}
