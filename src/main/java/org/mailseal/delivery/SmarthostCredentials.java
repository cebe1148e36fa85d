// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.util.Objects;
import java.util.function.Supplier;
import org.mailseal.oauth.AccessTokens;

/**
 * How mailseal authenticates to a smarthost: not at all (a relay on this host or LAN), with a
 * password (AUTH PLAIN/LOGIN), or with an OAuth2 access token (AUTH XOAUTH2). {@link #toString()}
 * never shows a secret.
 */
public sealed interface SmarthostCredentials
    permits SmarthostCredentials.None, SmarthostCredentials.Password, SmarthostCredentials.OAuth2 {

  /** The user to authenticate as; empty for {@link None}. */
  String user();

  /** What an operator should check or run when the smarthost refuses these credentials. */
  String remedy();

  /** No AUTH. */
  record None() implements SmarthostCredentials {
    @Override
    public String user() {
      return "";
    }

    @Override
    public String remedy() {
      return "configure username and password-file if the smarthost needs AUTH";
    }
  }

  /**
   * AUTH with a password read when a connection is opened (so a corrected file is used at once).
   *
   * @param source where the password comes from, for the operator ({@code password-file /etc/…})
   */
  record Password(String user, Supplier<String> password, String source)
      implements SmarthostCredentials {
    public Password {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(source, "source");
    }

    @Override
    public String remedy() {
      return "check " + source;
    }

    @Override
    public String toString() {
      return "Password[user=" + user + ", " + source + " (****)]";
    }
  }

  /**
   * AUTH XOAUTH2 with access tokens from {@code tokens}.
   *
   * @param reauthorize the command that gives a new consent, named in errors
   */
  record OAuth2(String user, AccessTokens tokens, String reauthorize)
      implements SmarthostCredentials {
    public OAuth2 {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(tokens, "tokens");
      Objects.requireNonNull(reauthorize, "reauthorize");
    }

    @Override
    public String remedy() {
      return "check that the account may send mail and the scope, then run: " + reauthorize;
    }

    @Override
    public String toString() {
      return "OAuth2[user=" + user + ", tokens=****]";
    }
  }
}
