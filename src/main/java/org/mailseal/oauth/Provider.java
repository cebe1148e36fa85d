// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

import java.net.URI;

/**
 * The endpoints and scopes of the providers whose SMTP servers take XOAUTH2, so that a
 * configuration names the provider rather than copying URLs.
 */
public enum Provider {
  /** Gmail and Google Workspace: smtp.gmail.com, scope {@code https://mail.google.com/}. */
  GOOGLE,
  /**
   * Microsoft 365 (Exchange Online): smtp.office365.com, scope {@code
   * https://outlook.office.com/SMTP.Send} plus {@code offline_access} for a refresh token.
   */
  MICROSOFT;

  /** The token endpoint; {@code tenant} is used by Microsoft only. */
  public URI tokenEndpoint(String tenant) {
    return switch (this) {
      case GOOGLE -> URI.create("https://oauth2.googleapis.com/token");
      case MICROSOFT ->
          URI.create("https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token");
    };
  }

  /** The consent page; {@code tenant} is used by Microsoft only. */
  public URI authorizationEndpoint(String tenant) {
    return switch (this) {
      case GOOGLE -> URI.create("https://accounts.google.com/o/oauth2/v2/auth");
      case MICROSOFT ->
          URI.create("https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/authorize");
    };
  }

  /** The scopes SMTP sending needs. */
  public String scope() {
    return switch (this) {
      case GOOGLE -> "https://mail.google.com/";
      case MICROSOFT -> "https://outlook.office.com/SMTP.Send offline_access";
    };
  }

  /** Extra consent parameters: Google returns a refresh token only with these. */
  public String extraAuthorizationParameters() {
    return this == GOOGLE ? "access_type=offline&prompt=consent" : "";
  }

  /** The SMTP server and port to relay through (STARTTLS). */
  public String smtpHost() {
    return this == GOOGLE ? "smtp.gmail.com" : "smtp.office365.com";
  }
}
