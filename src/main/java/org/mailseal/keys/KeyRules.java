// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.security.PrivateKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.mailseal.dkim.DkimKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a key as a function of one domain's keys, shared by every {@link KeyStore}: each
 * store reads the domain's keys under its lock, asks here for the keys as they must become (or for
 * the refusal), and writes what changed in one durable step.
 */
final class KeyRules {
  private static final Logger log = LoggerFactory.getLogger(KeyRules.class);

  private KeyRules() {}

  /** {@code keys} with {@code added} (PENDING) in {@code state}, activated if so asked. */
  static List<DkimKey> add(List<DkimKey> keys, DkimKey added, KeyState state, Instant now)
      throws KeyStoreException {
    String d = added.domain();
    if (state != KeyState.PENDING && state != KeyState.ACTIVE) {
      throw new KeyStoreException.IllegalTransition(
          d, added.selector().value(), "a new key starts PENDING or ACTIVE, not " + state);
    }
    if (keys.stream().anyMatch(k -> k.selector().equals(added.selector()))) {
      throw new KeyStoreException.DuplicateSelector(d, added.selector().value());
    }
    List<DkimKey> out = new ArrayList<>(keys);
    out.add(added);
    return state == KeyState.ACTIVE ? activate(out, added, now) : out;
  }

  /** {@code keys} after moving {@code selector} to {@code to}, or the reason it may not move. */
  static List<DkimKey> transition(
      String d, List<DkimKey> keys, Selector selector, KeyState to, Instant now)
      throws KeyStoreException {
    DkimKey key =
        keys.stream()
            .filter(k -> k.selector().equals(selector))
            .findFirst()
            .orElseThrow(() -> new KeyStoreException.NoSuchKey(d, selector.value()));
    if (!key.state().canMoveTo(to)) {
      throw new KeyStoreException.IllegalTransition(
          d,
          selector.value(),
          "cannot move "
              + selector
              + " of "
              + d
              + " from "
              + key.state()
              + " to "
              + to
              + (key.state().next().isEmpty() ? "" : " (allowed: " + key.state().next() + ")"));
    }
    if (to == KeyState.RETIRED
        && keys.stream().noneMatch(k -> k.state() == KeyState.ACTIVE && !k.equals(key))) {
      throw new KeyStoreException.IllegalTransition(
          d,
          selector.value(),
          "cannot retire "
              + selector
              + ": it is the last ACTIVE key of "
              + d
              + "; activate its successor instead");
    }
    if (to == KeyState.ACTIVE) {
      return activate(keys, key, now);
    }
    List<DkimKey> out = new ArrayList<>(keys);
    out.set(out.indexOf(key), key.moveTo(to, now));
    return out;
  }

  /** {@code key} becomes ACTIVE and the ACTIVE key of its algorithm, if any, RETIRED. */
  private static List<DkimKey> activate(List<DkimKey> keys, DkimKey key, Instant now) {
    List<DkimKey> out = new ArrayList<>(keys.size());
    for (DkimKey k : keys) {
      if (k.equals(key)) {
        out.add(k.moveTo(KeyState.ACTIVE, now));
      } else if (k.state() == KeyState.ACTIVE && k.algorithm() == key.algorithm()) {
        out.add(k.moveTo(KeyState.RETIRED, now));
      } else {
        out.add(k);
      }
    }
    return out;
  }

  /** The key of {@code selector} in {@code keys}. */
  /**
   * Logs every key whose state differs between {@code before} and {@code after}: one transition may
   * move two keys (activating one retires the ACTIVE key of its algorithm), and each is a state
   * change an operator looks for.
   */
  static void logChanges(String domain, List<DkimKey> before, List<DkimKey> after) {
    for (DkimKey a : after) {
      for (DkimKey b : before) {
        if (b.selector().equals(a.selector()) && b.state() != a.state()) {
          log.info(
              "key state changed domain={} selector={} from={} to={}",
              domain,
              a.selector(),
              b.state(),
              a.state());
        }
      }
    }
  }

  static DkimKey find(List<DkimKey> keys, Selector selector) {
    return keys.stream().filter(k -> k.selector().equals(selector)).findFirst().orElseThrow();
  }

  /** The kind of {@code key}. */
  static KeyAlgorithm algorithmOf(PrivateKey key) {
    if (key instanceof RSAKey) {
      return KeyAlgorithm.RSA;
    }
    if ("Ed25519".equalsIgnoreCase(key.getAlgorithm())
        || "EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
      return KeyAlgorithm.ED25519;
    }
    throw new IllegalArgumentException("not an RSA or Ed25519 key: " + key.getAlgorithm());
  }

  /** A new PENDING key of {@code domain} for {@code key}, created {@code now}. */
  static DkimKey pending(String domain, Selector selector, PrivateKey key, Instant now) {
    KeyAlgorithm algorithm = algorithmOf(key);
    int bits = key instanceof RSAKey rsa ? rsa.getModulus().bitLength() : 256;
    return new DkimKey(
        domain,
        selector,
        algorithm,
        bits,
        KeyState.PENDING,
        now,
        null,
        null,
        null,
        DkimKeyRecord.forPublicKey(PemKeys.publicKeyOf(key)));
  }
}
