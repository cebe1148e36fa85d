// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mailseal.config.MailsealConfig;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.keys.Selector;
import org.mailseal.keys.SelectorTemplate;
import org.mailseal.submission.SigningKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Making keys, the one recipe for the first start of a domain, {@code keys generate} and {@code
 * keys rotate}: one key per algorithm, under a dated selector the domain has never used.
 */
public final class KeyOperations {
  private static final Logger log = LoggerFactory.getLogger(KeyOperations.class);

  private final KeyStore keys;
  private final SelectorTemplate template;
  private final KeyGenerator generator;
  private final Clock clock;

  public KeyOperations(KeyStore keys, SelectorTemplate template, Clock clock, SecureRandom random) {
    this.keys = keys;
    this.template = template;
    this.generator = new KeyGenerator(random);
    this.clock = clock;
  }

  /** New keys of a configured domain, of its algorithms and RSA size, in {@code state}. */
  public List<DkimKey> generate(MailsealConfig.Domain domain, KeyState state)
      throws KeyStoreException {
    return generate(domain.name(), domain.algorithms(), domain.rsaBits(), state);
  }

  /**
   * One new key per algorithm for {@code domain}, in {@code state}. A selector another node of a
   * cluster took at the same moment is skipped (logged): that node's key serves.
   */
  public List<DkimKey> generate(
      String domain, List<KeyAlgorithm> algorithms, int rsaBits, KeyState state)
      throws KeyStoreException {
    Set<String> taken = new HashSet<>();
    keys.list(domain).forEach(k -> taken.add(k.selector().value()));
    List<DkimKey> made = new ArrayList<>();
    for (KeyAlgorithm a : algorithms) {
      Selector s = template.render(LocalDate.now(clock), a, taken);
      taken.add(s.value());
      try {
        made.add(keys.add(domain, s, generator.generate(a, rsaBits).getPrivate(), state));
      } catch (KeyStoreException.DuplicateSelector e) {
        log.info("key made by another node domain={} selector={}", domain, s);
      }
    }
    return made;
  }

  /**
   * A configured domain with no key at all gets its first keys now, ACTIVE at once: there is no
   * older key to protect, and mail can be signed from the first message (it verifies once DNS has
   * the records). Every later key goes through PENDING and the DNS check.
   *
   * @return the keys made; empty when the domain had keys
   */
  public List<DkimKey> bootstrap(MailsealConfig.Domain domain) throws KeyStoreException {
    if (!keys.list(domain.name()).isEmpty()) {
      return List.of();
    }
    return generate(domain, KeyState.ACTIVE);
  }

  /** {@code rsa-2048} or {@code ed25519}: what a person calls the key. */
  public static String describe(DkimKey k) {
    return k.algorithm().tag() + (k.algorithm() == KeyAlgorithm.RSA ? "-" + k.bits() : "");
  }

  /**
   * The signers of every configured domain over {@code store}, with room for the largest header
   * section the listeners accept; call {@link SigningKeys#refresh()} before use.
   */
  public static SigningKeys signingKeys(MailsealConfig config, KeyStore store, Clock clock) {
    return new SigningKeys(
        store,
        Set.copyOf(config.domainNames()),
        clock,
        Math.max(1024, config.limits().headerSize() + 8192));
  }
}
