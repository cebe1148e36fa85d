// SPDX-License-Identifier: Apache-2.0
/**
 * The listeners' certificate: PEM files reloaded without a restart, or a self-signed certificate
 * made on first start ({@link org.mailseal.tls.ServerTls}, {@link
 * org.mailseal.tls.ReloadingKeyManager}).
 */
package org.mailseal.tls;
