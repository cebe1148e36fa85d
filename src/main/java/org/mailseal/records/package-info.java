// SPDX-License-Identifier: Apache-2.0
/**
 * The DNS records a domain owner publishes, and the checks that they are there: the DKIM record
 * plan of a domain's keys ({@link org.mailseal.records.RecordPlan}), SPF (parsing, evaluation,
 * analysis against the 10-lookup limit), DMARC (the policy discovery of RFC 9989), zone and JSON
 * rendering with 255-byte strings ({@link org.mailseal.records.ZoneWriter}), the comparison of what
 * DNS shows with what should be there ({@link org.mailseal.records.DnsChecker}, key bytes, not
 * text), and the verifier's key resolver over DNS. Lookups go through {@code dns}.
 */
package org.mailseal.records;
