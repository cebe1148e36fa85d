// SPDX-License-Identifier: Apache-2.0
/**
 * DKIM keys and their life: generation ({@link org.mailseal.keys.KeyGenerator}), dated selectors
 * ({@link org.mailseal.keys.SelectorTemplate}), states and the rules between them ({@link
 * org.mailseal.keys.KeyState}), the store ({@link org.mailseal.keys.KeyStore}, on files in the
 * embedded default) and PEM import and export (PKCS#8, and PKCS#1 as opendkim-genkey writes it).
 * Private key material never appears in messages, logs, command output or {@code toString}.
 */
package org.mailseal.keys;
