// SPDX-License-Identifier: Apache-2.0
/**
 * The DNS records a domain owner publishes, and the checks that they are there: the DKIM record
 * plan of a domain's keys ({@link org.mailseal.records.RecordPlan}), SPF (parsing, evaluation,
 * analysis against the 10-lookup limit), DMARC (the policy discovery of RFC 9989), zone and JSON
 * rendering with 255-byte strings ({@link org.mailseal.records.ZoneWriter}), the comparison of what
 * DNS shows with what should be there ({@link org.mailseal.records.DnsChecker}, key bytes, not
 * text), and the verifier's key resolver over DNS. Lookups go through {@code dns}.
 *
 * <p>Writing them: RFC 2136 updates signed with TSIG (RFC 8945) through {@link
 * org.mailseal.records.Rfc2136Updater}, and {@link org.mailseal.records.DnsPublisher}, which the
 * relay calls after each reconcile with the records a domain should publish. Writing never gates
 * signing: the DNS check still decides activation.
 */
package org.mailseal.records;
