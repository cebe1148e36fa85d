// SPDX-License-Identifier: Apache-2.0
/**
 * The listeners' certificate: PEM files reloaded without a restart, or a self-signed certificate
 * made on first start ({@link org.mailseal.tls.ServerTls}, {@link
 * org.mailseal.tls.ReloadingKeyManager}); ACME (RFC 8555) issuance and renewal with DNS-01
 * challenges written through {@code records}' RFC 2136 updates ({@link
 * org.mailseal.tls.AcmeRenewer}), writing the files the listeners reload; and what a certificate
 * file holds ({@link org.mailseal.tls.CertificateInfo}).
 */
package org.mailseal.tls;
