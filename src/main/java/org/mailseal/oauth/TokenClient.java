// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Talks to a token endpoint over the JDK's HTTP client: the refresh-token grant (RFC 6749 §6) and
 * the authorization-code grant with a PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5). The client
 * secret, when there is one, goes in the form body ({@code client_secret_post}), which Google and
 * Microsoft both accept.
 */
public final class TokenClient {
  /** RFC 6749 §5.2 errors that mean the grant or client itself is refused, not the moment. */
  private static final Set<String> PERMANENT =
      Set.of("invalid_grant", "invalid_client", "unauthorized_client", "unsupported_grant_type");

  private static final ObjectMapper JSON = new ObjectMapper();
  private final OAuthClient client;
  private final HttpClient http;
  private final Duration timeout;

  public TokenClient(OAuthClient client, HttpClient http, Duration timeout) {
    this.client = client;
    this.http = http;
    this.timeout = timeout;
  }

  /** A client with its own HTTP client and a 30-second timeout. */
  public TokenClient(OAuthClient client) {
    this(
        client,
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build(),
        Duration.ofSeconds(30));
  }

  public OAuthClient client() {
    return client;
  }

  /** Exchanges {@code refreshToken} for a new access token (RFC 6749 §6). */
  public TokenResponse refresh(String refreshToken) throws OAuthException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("refresh_token", refreshToken);
    // RFC 6749 §6: the scope may be left out (it is then the one granted); Microsoft wants it.
    if (!client.scope().isBlank()) {
      form.put("scope", client.scope());
    }
    return post(form);
  }

  /** Exchanges an authorization code and its PKCE verifier for tokens (RFC 7636 §4.5). */
  public TokenResponse exchange(String code, String verifier, String redirectUri)
      throws OAuthException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", redirectUri);
    form.put("code_verifier", verifier);
    return post(form);
  }

  private TokenResponse post(Map<String, String> form) throws OAuthException {
    form.put("client_id", client.clientId());
    if (client.clientSecret().isPresent()) {
      try {
        form.put("client_secret", client.clientSecret().get().get());
      } catch (IllegalStateException e) {
        throw new OAuthException("client secret unavailable: " + e.getMessage());
      }
    }
    HttpRequest request =
        HttpRequest.newBuilder(client.tokenEndpoint())
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(encode(form)))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new OAuthException(
          "token endpoint " + client.tokenEndpoint().getHost() + " did not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OAuthException("interrupted while asking the token endpoint");
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      body = null;
    }
    int status = response.statusCode();
    if (status == 200 && body != null && body.hasNonNull("access_token")) {
      long expires = body.path("expires_in").asLong(3600);
      Optional<String> rotated =
          body.hasNonNull("refresh_token")
              ? Optional.of(body.get("refresh_token").asText())
              : Optional.empty();
      return new TokenResponse(
          body.get("access_token").asText(), Duration.ofSeconds(Math.max(1, expires)), rotated);
    }
    // RFC 6749 §5.2: 400 (or 401) with {"error": ...}; the description is for humans and holds
    // no token. Anything else (5xx, HTML) is transient.
    String error = body == null ? "" : body.path("error").asText("");
    String description = body == null ? "" : body.path("error_description").asText("");
    if (PERMANENT.contains(error)) {
      throw new OAuthException.RefreshRefused(error, oneLine(description));
    }
    throw new OAuthException(
        "token endpoint "
            + client.tokenEndpoint().getHost()
            + " answered HTTP "
            + status
            + (error.isEmpty() ? "" : " (" + error + ")"));
  }

  private static String oneLine(String s) {
    String t = s.replace('\r', ' ').replace('\n', ' ').strip();
    return t.length() > 200 ? t.substring(0, 200) + "…" : t;
  }

  static String encode(Map<String, String> form) {
    StringJoiner j = new StringJoiner("&");
    form.forEach(
        (k, v) ->
            j.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return j.toString();
  }
}
