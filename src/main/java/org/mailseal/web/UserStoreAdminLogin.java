// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Predicate;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.User;
import org.mailseal.auth.UserStore;

/**
 * {@link AdminLogin} over the users file and the SMTP {@link Authenticator} (so a web login and an
 * SMTP AUTH share one throttle). Only the main password logs in: app passwords are for mail
 * clients. The credential version is the user's {@link User#credentialVersion()} with a digest of
 * the stored hash, so a password changed by any means (a new salt) ends the sessions.
 *
 * <p>Which users are admins is a predicate: the relay passes {@link User#admin()} ({@code users add
 * --admin}).
 */
public final class UserStoreAdminLogin implements AdminLogin {
  private final Authenticator authenticator;
  private final UserStore users;
  private final Predicate<User> isAdmin;

  public UserStoreAdminLogin(
      Authenticator authenticator, UserStore users, Predicate<User> isAdmin) {
    this.authenticator = authenticator;
    this.users = users;
    this.isAdmin = isAdmin;
  }

  @Override
  public Outcome login(String user, char[] password, InetAddress client) {
    Authenticator.Outcome o = authenticator.login(user, password, client);
    if (o instanceof Authenticator.Success s) {
      if (s.appPassword().isPresent()) {
        return new Refused(
            Reason.BAD_CREDENTIALS,
            "App passwords are for mail clients; log in with the user's own password.");
      }
      if (!isAdmin.test(s.user())) {
        return new Refused(Reason.NOT_ADMIN, "This user may not use the dashboard.");
      }
      return new Admin(s.user().name(), version(s.user()));
    }
    Authenticator.Failure f = (Authenticator.Failure) o;
    return switch (f.reason()) {
      case BAD_CREDENTIALS -> new Refused(Reason.BAD_CREDENTIALS, "Wrong user name or password.");
      case THROTTLED ->
          new Refused(
              Reason.THROTTLED,
              "Too many failed logins from "
                  + f.scope()
                  + "; try again in "
                  + f.seconds()
                  + " seconds.");
      case LOCKED ->
          new Refused(
              Reason.THROTTLED,
              "Too many failed logins from "
                  + f.scope()
                  + "; locked for "
                  + f.seconds()
                  + " seconds.");
    };
  }

  @Override
  public Optional<String> credentialVersion(String user) {
    return users.find(user).filter(isAdmin).map(UserStoreAdminLogin::version);
  }

  private static String version(User u) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(u.passwordHash().getBytes(StandardCharsets.UTF_8));
      return u.credentialVersion() + "-" + HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
