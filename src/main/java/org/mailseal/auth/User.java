// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.mailseal.policy.SenderPattern;
import org.mailseal.policy.SendingLimits;

/**
 * One user of the submission service.
 *
 * @param name the login name, lower case (usually the user's own address)
 * @param passwordHash a PHC string ({@code $argon2id$…}) or bcrypt ({@code $2b$…}); never a
 *     password
 * @param allowed the senders this user may use in MAIL FROM and the header From
 * @param admin whether the user may use the owner's dashboard
 * @param credentialVersion raised by one at every change of the main password: a session of the
 *     dashboard made at an older version is no longer valid
 * @param passwordChanged when the main password was last changed, when known
 * @param appPasswords further named credentials, usable for SMTP AUTH; names unique
 * @param limits this user's own sending limits, over the global ones
 * @param suspended present while the user may not send
 */
public record User(
    String name,
    String passwordHash,
    List<SenderPattern> allowed,
    boolean admin,
    int credentialVersion,
    Optional<Instant> passwordChanged,
    List<AppPassword> appPasswords,
    SendingLimits limits,
    Optional<Suspension> suspended) {
  public User {
    name = name.strip().toLowerCase(Locale.ROOT);
    if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':')) {
      throw new IllegalArgumentException("User: name must be non-empty, without spaces or colons");
    }
    if (!passwordHash.startsWith("$")) {
      throw new IllegalArgumentException("User: password must be a hash, not a password");
    }
    if (credentialVersion < 1) {
      throw new IllegalArgumentException("User: credential version must be 1 or more");
    }
    allowed = List.copyOf(allowed);
    appPasswords = List.copyOf(appPasswords);
    for (int i = 0; i < appPasswords.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (appPasswords.get(i).name().equals(appPasswords.get(j).name())) {
          throw new IllegalArgumentException(
              "User: two app passwords named " + appPasswords.get(i).name());
        }
      }
    }
  }

  /** A new user: not an admin, no app passwords, no limits of their own, not suspended. */
  public User(String name, String passwordHash, List<SenderPattern> allowed) {
    this(
        name,
        passwordHash,
        allowed,
        false,
        1,
        Optional.empty(),
        List.of(),
        SendingLimits.NONE,
        Optional.empty());
  }

  /** This user with a new main password, changed {@code at}: the credential version goes up. */
  public User withPassword(String hash, Instant at) {
    return new User(
        name,
        hash,
        allowed,
        admin,
        credentialVersion + 1,
        Optional.of(at),
        appPasswords,
        limits,
        suspended);
  }

  public User withAllowed(List<SenderPattern> senders) {
    return new User(
        name,
        passwordHash,
        senders,
        admin,
        credentialVersion,
        passwordChanged,
        appPasswords,
        limits,
        suspended);
  }

  public User withAdmin(boolean on) {
    return new User(
        name,
        passwordHash,
        allowed,
        on,
        credentialVersion,
        passwordChanged,
        appPasswords,
        limits,
        suspended);
  }

  public User withLimits(SendingLimits own) {
    return new User(
        name,
        passwordHash,
        allowed,
        admin,
        credentialVersion,
        passwordChanged,
        appPasswords,
        own,
        suspended);
  }

  /** This user suspended for {@code why}, or resumed when empty. */
  public User withSuspension(Optional<Suspension> why) {
    return new User(
        name,
        passwordHash,
        allowed,
        admin,
        credentialVersion,
        passwordChanged,
        appPasswords,
        limits,
        why);
  }

  /** This user with {@code p} added (its name must be new). */
  public User withAppPassword(AppPassword p) {
    List<AppPassword> list = new ArrayList<>(appPasswords);
    list.add(p);
    return withAppPasswords(list);
  }

  /** This user without the app password named {@code appName}. */
  public User withoutAppPassword(String appName) {
    List<AppPassword> list = new ArrayList<>(appPasswords);
    list.removeIf(p -> p.name().equals(appName));
    return withAppPasswords(list);
  }

  private User withAppPasswords(List<AppPassword> list) {
    return new User(
        name,
        passwordHash,
        allowed,
        admin,
        credentialVersion,
        passwordChanged,
        list,
        limits,
        suspended);
  }

  /** The app password named {@code appName}. */
  public Optional<AppPassword> appPassword(String appName) {
    return appPasswords.stream().filter(p -> p.name().equals(appName)).findFirst();
  }

  @Override
  public String toString() {
    return "User[" + name + ", allowed=" + allowed + ", admin=" + admin + "]"; // never the hash
  }
}
