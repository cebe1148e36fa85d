// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One OAuth client registration at one provider: where its endpoints are, who it is, and what it
 * asks for. {@link #toString()} shows no secret.
 *
 * @param tokenEndpoint where codes and refresh tokens are exchanged for access tokens
 * @param authorizationEndpoint where the owner gives consent (for {@code smarthost authorize})
 * @param clientId the client's id
 * @param clientSecret reads the client secret when needed; empty for a public client
 * @param scope space-separated scopes, for example {@code https://mail.google.com/}
 * @param extraAuthorizationParameters added to the consent URL (Google needs {@code
 *     access_type=offline&prompt=consent} to return a refresh token); may be empty
 */
public record OAuthClient(
    URI tokenEndpoint,
    URI authorizationEndpoint,
    String clientId,
    Optional<Supplier<String>> clientSecret,
    String scope,
    String extraAuthorizationParameters) {
  public OAuthClient {
    Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
    Objects.requireNonNull(authorizationEndpoint, "authorizationEndpoint");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(clientSecret, "clientSecret");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(extraAuthorizationParameters, "extraAuthorizationParameters");
    if (clientId.isBlank()) {
      throw new IllegalArgumentException("OAuthClient: client-id must not be blank");
    }
  }

  @Override
  public String toString() {
    return "OAuthClient[tokenEndpoint="
        + tokenEndpoint
        + ", clientId="
        + clientId
        + ", clientSecret="
        + (clientSecret.isPresent() ? "****" : "none")
        + ", scope="
        + scope
        + "]";
  }
}
