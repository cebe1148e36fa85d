// SPDX-License-Identifier: Apache-2.0
/**
 * DKIM signing and verifying (RFC 6376), with rsa-sha256 and ed25519-sha256 (RFC 8463).
 *
 * <p>Owns canonicalization, header selection and over-signing, the DKIM-Signature field and its
 * folding, the key record format ({@link org.mailseal.dkim.DkimKeyRecord}) and verification
 * results. It is a leaf: it takes keys and {@link org.mailseal.dkim.SignOptions}, finds key records
 * through a {@link org.mailseal.dkim.KeyResolver}, and knows nothing of configuration, files, DNS
 * libraries or schedules.
 *
 * <p>Messages stream through: only the header section is held (bounded); body canonicalization is a
 * byte-level state machine feeding SHA-256, one per distinct canonicalization, in one pass.
 */
package org.mailseal.dkim;
