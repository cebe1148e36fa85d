// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

/**
 * The token endpoint gave no access token. This class is the transient case (no answer, a 5xx, a
 * reply that is not JSON): trying again later may work. {@link RefreshRefused} is the permanent
 * one. Messages never carry a token or a secret.
 */
public class OAuthException extends Exception {
  private static final long serialVersionUID = 1L;

  public OAuthException(String message) {
    super(message);
  }

  public OAuthException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The endpoint refused the grant itself ({@code invalid_grant}, {@code invalid_client}, {@code
   * unauthorized_client}: RFC 6749 §5.2): the refresh token was revoked or expired, or the client
   * is wrong. Only a new consent ({@code mailseal smarthost authorize}) or a configuration fix
   * helps.
   */
  public static final class RefreshRefused extends OAuthException {
    private static final long serialVersionUID = 1L;
    private final String error;

    public RefreshRefused(String error, String description) {
      super(
          "the token endpoint refused the grant ("
              + error
              + (description.isEmpty() ? "" : ": " + description)
              + ")");
      this.error = error;
    }

    /** The RFC 6749 §5.2 error code, for example {@code invalid_grant}. */
    public String error() {
      return error;
    }
  }
}
