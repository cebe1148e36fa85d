// SPDX-License-Identifier: Apache-2.0
/**
 * What the owner publishes in DNS, and writing it there: RFC 2136 updates signed with TSIG (RFC
 * 8945) through {@link org.mailseal.records.Rfc2136Updater}, and {@link
 * org.mailseal.records.DnsPublisher}, which the relay calls after each reconcile with the records a
 * domain should publish. Writing never gates signing: the DNS check still decides activation.
 */
package org.mailseal.records;
