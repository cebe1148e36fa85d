// SPDX-License-Identifier: Apache-2.0
/**
 * The running relay and the operations that {@code serve}, the commands and the web page share.
 *
 * <p>{@link org.mailseal.relay.Relay} builds every part from the typed configuration, starts them
 * in dependency order and stops them in reverse:
 *
 * <ol>
 *   <li>keys: the file store or the cluster's database ({@link org.mailseal.relay.Cluster}); a
 *       domain without keys gets its first ones ({@link org.mailseal.relay.KeyOperations});
 *   <li>the signers ({@code submission.SigningKeys}) and the spool;
 *   <li>the listeners ({@code submission.SubmissionServer}, certificate from {@code tls});
 *   <li>delivery: transports by route ({@link org.mailseal.relay.Transports}), the worker and its
 *       threads ({@code delivery.DeliveryThreads}), DSNs signed like submitted mail ({@link
 *       org.mailseal.relay.SignedSubmission});
 *   <li>rotation on Quartz and what follows each reconcile ({@link
 *       org.mailseal.relay.RotationWatch}: export of the desired records by {@link
 *       org.mailseal.relay.DnsExport}, the publish hook, signer refresh, gauges);
 *   <li>the admin listener and the DNS status behind {@code /metrics} ({@link
 *       org.mailseal.relay.DnsStatusWatch}).
 * </ol>
 *
 * <p>Operations without a running server: {@link org.mailseal.relay.Configs} (load the
 * configuration), {@link org.mailseal.relay.KeyOperations} (generate keys), {@link
 * org.mailseal.relay.RotationSetup} ({@code keys reconcile}), {@link
 * org.mailseal.relay.QueueOperations} ({@code queue bounce}). Failures are {@link
 * org.mailseal.relay.RelayException}s. This package uses no picocli and nothing here depends on
 * {@code cli}; see docs/architecture.md for where each step of a message and a key lives.
 */
package org.mailseal.relay;
