// SPDX-License-Identifier: Apache-2.0
/**
 * DKIM private keys: reading and writing them as PEM (PKCS#8, and PKCS#1 as opendkim-genkey writes
 * it). Key material never appears in messages, logs or {@code toString}.
 */
package org.mailseal.keys;
