// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.mailseal.dkim.DkimSigner;
import org.mailseal.dkim.SignOptions;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which keys sign which domain's mail right now: one {@link DkimSigner} per signing domain, with
 * every ACTIVE key of that domain (an RSA and an Ed25519 key give two signatures). Refreshed from
 * the key store on every reconcile, so a key activated, retired or revoked by {@code mailseal keys}
 * or another cluster node is used or dropped within one interval. Only keys that changed are read
 * from the store again.
 */
public final class SigningKeys {
  private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

  /** A domain's signer and the selectors it signs with, for logs and metrics. */
  public record DomainSigner(String domain, DkimSigner signer, List<DkimKey> keys) {
    public DomainSigner {
      keys = List.copyOf(keys);
    }
  }

  private final KeyStore store;
  private final Set<String> domains;
  private final Clock clock;
  private final int maxHeaderBytes;
  private volatile Map<String, DomainSigner> signers = Map.of();

  public SigningKeys(KeyStore store, Set<String> domains, Clock clock, int maxHeaderBytes) {
    this.store = store;
    this.domains = Set.copyOf(domains);
    this.clock = clock;
    this.maxHeaderBytes = maxHeaderBytes;
  }

  /**
   * Reads the ACTIVE keys of every signing domain again. On a store error the previous keys stay in
   * use and the error is thrown for the caller to log.
   */
  public synchronized void refresh() throws KeyStoreException {
    Map<String, DomainSigner> next = new HashMap<>();
    for (String domain : domains) {
      List<DkimKey> active = new ArrayList<>();
      for (DkimKey k : store.list(domain)) {
        if (k.state() == KeyState.ACTIVE) {
          active.add(k);
        }
      }
      if (active.isEmpty()) {
        continue;
      }
      active.sort((a, b) -> a.algorithm().compareTo(b.algorithm()));
      DomainSigner previous = signers.get(domain);
      if (previous != null && sameKeys(previous.keys(), active)) {
        next.put(domain, previous);
        continue;
      }
      List<SignOptions> options = new ArrayList<>();
      for (DkimKey k : active) {
        options.add(
            SignOptions.builder(
                    domain, k.selector().value(), store.privateKey(domain, k.selector()))
                .build());
      }
      next.put(
          domain, new DomainSigner(domain, new DkimSigner(options, clock, maxHeaderBytes), active));
      log.info(
          "signing keys domain={} selectors={}",
          domain,
          active.stream().map(k -> k.selector().value()).toList());
    }
    for (String d : signers.keySet()) {
      if (!next.containsKey(d)) {
        log.warn("signing keys domain={} has no ACTIVE key: its mail is refused with 451", d);
      }
    }
    signers = Map.copyOf(next);
  }

  private static boolean sameKeys(List<DkimKey> a, List<DkimKey> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).selector().equals(b.get(i).selector())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The signer for mail from {@code fromDomain}: its own signing domain, or the nearest parent that
   * is one (relaxed DMARC alignment: {@code d=example.com} aligns with {@code news.example.com}).
   */
  public Optional<DomainSigner> forFromDomain(String fromDomain) {
    return signingDomain(fromDomain).map(signers::get);
  }

  /** The configured signing domain that covers {@code fromDomain}, with or without a key. */
  public Optional<String> signingDomain(String fromDomain) {
    String d = fromDomain.toLowerCase(Locale.ROOT);
    while (true) {
      if (domains.contains(d)) {
        return Optional.of(d);
      }
      int dot = d.indexOf('.');
      if (dot < 0) {
        return Optional.empty();
      }
      d = d.substring(dot + 1);
    }
  }

  /** The signing domains that have no ACTIVE key now, sorted. */
  public Set<String> domainsWithoutKey() {
    Set<String> out = new TreeSet<>(domains);
    out.removeAll(signers.keySet());
    return out;
  }
}
