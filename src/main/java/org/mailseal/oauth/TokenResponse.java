// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A successful token response (RFC 6749 §5.1). {@link #toString()} shows no token.
 *
 * @param accessToken the bearer token for XOAUTH2
 * @param expiresIn its lifetime as the endpoint gave it ({@code expires_in})
 * @param refreshToken a new refresh token when the endpoint rotates it
 */
public record TokenResponse(String accessToken, Duration expiresIn, Optional<String> refreshToken) {
  public TokenResponse {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(expiresIn, "expiresIn");
    Objects.requireNonNull(refreshToken, "refreshToken");
  }

  @Override
  public String toString() {
    return "TokenResponse[expiresIn="
        + expiresIn
        + ", refreshToken="
        + (refreshToken.isPresent() ? "rotated" : "unchanged")
        + "]";
  }
}
