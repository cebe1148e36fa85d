// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access token of one smarthost: fetched with the stored refresh token, kept until shortly
 * before it expires (a quarter of its lifetime, at most a minute, early), then fetched again. A
 * refresh token the endpoint rotates replaces the stored one before the new access token is used.
 * Thread-safe: concurrent callers share one refresh.
 */
public final class AccessTokens {
  private static final Logger log = LoggerFactory.getLogger(AccessTokens.class);
  private static final Duration MAX_MARGIN = Duration.ofMinutes(1);

  private final String name;
  private final TokenClient client;
  private final RefreshTokenFile store;
  private final Clock clock;
  private String token;
  private Instant refreshAt = Instant.MIN;

  /**
   * @param name the smarthost these tokens are for, in log lines
   */
  public AccessTokens(String name, TokenClient client, RefreshTokenFile store, Clock clock) {
    this.name = name;
    this.client = client;
    this.store = store;
    this.clock = clock;
  }

  /** A token valid now, fetched when the cached one is missing or about to expire. */
  public synchronized String current() throws OAuthException {
    Instant now = clock.instant();
    if (token != null && now.isBefore(refreshAt)) {
      return token;
    }
    return fetch(now);
  }

  /**
   * Drops {@code rejected} (the smarthost refused it) and returns a freshly fetched token, unless
   * another thread already replaced it.
   */
  public synchronized String renew(String rejected) throws OAuthException {
    if (token != null && !token.equals(rejected) && clock.instant().isBefore(refreshAt)) {
      return token;
    }
    token = null;
    return fetch(clock.instant());
  }

  private String fetch(Instant now) throws OAuthException {
    Optional<String> refresh;
    try {
      refresh = store.read();
    } catch (IOException e) {
      throw new OAuthException(
          "cannot read refresh-token-file " + store.path() + ": " + e.getMessage());
    }
    if (refresh.isEmpty()) {
      throw new OAuthException.RefreshRefused(
          "no_refresh_token", "refresh-token-file " + store.path() + " is missing or empty");
    }
    TokenResponse r = client.refresh(refresh.get());
    if (r.refreshToken().isPresent() && !r.refreshToken().get().equals(refresh.get())) {
      try {
        store.write(r.refreshToken().get());
        log.info("oauth refresh token rotated smarthost={} file={}", name, store.path());
      } catch (IOException e) {
        // The old token may already be invalid: say so loudly, but use the access token.
        log.error(
            "oauth rotated refresh token not stored smarthost={} file={} error=\"{}\"",
            name,
            store.path(),
            e.getMessage());
      }
    }
    Duration life = r.expiresIn();
    Duration margin = life.dividedBy(4);
    if (margin.compareTo(MAX_MARGIN) > 0) {
      margin = MAX_MARGIN;
    }
    token = r.accessToken();
    refreshAt = now.plus(life).minus(margin);
    log.debug("oauth access token fetched smarthost={} expiresIn={}", name, life);
    return token;
  }

  /** Where the refresh token lives (a new version there means a new consent). */
  public RefreshTokenFile store() {
    return store;
  }
}
