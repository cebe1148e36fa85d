// SPDX-License-Identifier: Apache-2.0
/**
 * Asking DNS: lookups through {@link org.mailseal.dns.DnsLookup} (dnsjava in production, fakes and
 * a loopback server in tests) and TXT character-strings. What delivery (MX) and rotation (is a key
 * published?) need; it knows no other part of mailseal. The records the owner publishes live in
 * {@code records}.
 */
package org.mailseal.dns;
