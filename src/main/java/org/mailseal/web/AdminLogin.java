// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may use the dashboard: users of the users file with the admin role, checked as SMTP AUTH
 * checks them (argon2id, and the same failed-login throttling per client address and user name).
 * Thread-safe.
 */
public interface AdminLogin {

  /** What became of one login. */
  sealed interface Outcome permits Admin, Refused {}

  /**
   * An admin logged in.
   *
   * @param user the user name, lower case
   * @param credentialVersion changes whenever the user's password changes (see {@link
   *     #credentialVersion(String)}); a session remembers it
   */
  record Admin(String user, String credentialVersion) implements Outcome {
    public Admin {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(credentialVersion, "credentialVersion");
    }
  }

  /** Why a login was refused. */
  enum Reason {
    /** Unknown user or wrong password: the page does not say which. */
    BAD_CREDENTIALS,
    /** The password was right, but the user has no admin role. */
    NOT_ADMIN,
    /** Too many failed logins from this address or for this user; try later. */
    THROTTLED
  }

  /**
   * @param message one line for the login page
   */
  record Refused(Reason reason, String message) implements Outcome {
    public Refused {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }

  /** Checks a login from {@code client}; never logs the password. */
  Outcome login(String user, char[] password, InetAddress client);

  /**
   * The current credential version of {@code user} if it is still an admin: a session whose version
   * differs (the password changed) or that gets none (user removed, admin role taken away) ends at
   * once.
   */
  Optional<String> credentialVersion(String user);
}
