// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.security.PrivateKey;
import java.util.List;
import java.util.Optional;

/**
 * Where a relay's DKIM keys live: files under {@code keys/} ({@link FileKeyStore}) in the embedded
 * default, a database in cluster mode. The store enforces the life of a key: only the moves {@link
 * KeyState#next()} allows, at most one ACTIVE key per domain and algorithm (activating a key
 * retires the one it replaces in the same write), and never retiring the last ACTIVE key of a
 * domain. Every change is durable when the method returns; readers see other processes' changes.
 */
public interface KeyStore {

  /** Every key, ordered by domain, then creation time, then selector. */
  List<DkimKey> list() throws KeyStoreException;

  /** The keys of {@code domain}, ordered by creation time, then selector. */
  List<DkimKey> list(String domain) throws KeyStoreException;

  Optional<DkimKey> find(String domain, Selector selector) throws KeyStoreException;

  /** Stores a new key in {@code state} (PENDING for a generated key; imports may be ACTIVE). */
  DkimKey add(String domain, Selector selector, PrivateKey key, KeyState state)
      throws KeyStoreException;

  /** The private key, for signing. */
  PrivateKey privateKey(String domain, Selector selector) throws KeyStoreException;

  /** Moves a key to {@code to}, with the rules above; returns the key as it now is. */
  DkimKey transition(String domain, Selector selector, KeyState to) throws KeyStoreException;
}
