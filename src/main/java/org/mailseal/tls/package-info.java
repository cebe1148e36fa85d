// SPDX-License-Identifier: Apache-2.0
/**
 * The listeners' certificate: ACME (RFC 8555) issuance and renewal with DNS-01 challenges written
 * through {@code records}' RFC 2136 updates ({@link org.mailseal.tls.AcmeRenewer}), and what a
 * certificate file holds ({@link org.mailseal.tls.CertificateInfo}). The listeners read the files
 * the renewer writes with their reloading key manager, so a renewal needs no restart.
 */
package org.mailseal.tls;
