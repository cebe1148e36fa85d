// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import org.mailseal.config.MailsealConfig;
import org.mailseal.delivery.Bouncer;
import org.mailseal.delivery.QueueBounce;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolException;
import org.mailseal.submission.SigningKeys;

/**
 * Queue operations that need no running server: {@code queue bounce} on a spool no relay holds
 * fails the message's recipients and queues the signed DSN in this process, exactly as the running
 * relay's delivery would.
 */
public final class QueueOperations {
  private QueueOperations() {}

  /**
   * What a bounce did.
   *
   * @param done whether the message left the queue with its DSN stored
   * @param text one line for the operator, starting with {@code ok} or {@code error}
   */
  public record BounceResult(boolean done, String text) {}

  /**
   * Bounces {@code id} in {@code spool} (opened by the caller, so no relay holds it), signing the
   * DSN with the keys the configuration names (files, or the cluster's database).
   */
  public static BounceResult bounce(Spool spool, QueueId id, MailsealConfig config, Clock clock)
      throws SpoolException, KeyStoreException, RelayException {
    if (config.cluster().isEmpty()) {
      return bounce(spool, id, config, new FileKeyStore(config.keys().directory(), clock), clock);
    }
    try (Cluster cluster = Cluster.open(config.cluster().get(), clock, new SecureRandom())) {
      return bounce(spool, id, config, cluster.keys(), clock);
    }
  }

  private static BounceResult bounce(
      Spool spool, QueueId id, MailsealConfig config, KeyStore store, Clock clock)
      throws SpoolException, KeyStoreException {
    Optional<SpoolEntry> entry = spool.entry(id);
    if (entry.isEmpty()) {
      return new BounceResult(false, "error no queued message " + id);
    }
    SigningKeys keys = KeyOperations.signingKeys(config, store, clock);
    keys.refresh();
    Bouncer bouncer =
        new Bouncer(
            new SignedSubmission(keys, spool, config.server().relayUnsigned()),
            config.server().hostname(),
            clock);
    if (!new QueueBounce(spool, bouncer, RelayMetrics.none()).bounce(entry.get(), clock.instant())
        || spool.entry(id).isPresent()) {
      return new BounceResult(
          false,
          "error bounce "
              + id
              + ": the DSN could not be stored (see the log); the message is kept");
    }
    SpoolEntry e = entry.get();
    return new BounceResult(
        true,
        "ok bounced "
            + id
            + ": "
            + e.pending().size()
            + " recipient(s) failed"
            + (e.bounce() || e.sender().isEmpty()
                ? " (null sender: no DSN)"
                : ", DSN queued to <" + e.sender() + ">"));
  }
}
