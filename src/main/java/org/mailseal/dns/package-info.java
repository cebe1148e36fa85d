// SPDX-License-Identifier: Apache-2.0
/**
 * Everything mailseal asks of or tells DNS: lookups through {@link org.mailseal.dns.DnsLookup}
 * (dnsjava in production, fakes and a loopback server in tests), TXT character-strings, and the
 * DKIM key resolver the verifier uses.
 */
package org.mailseal.dns;
