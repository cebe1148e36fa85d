// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;

/**
 * The form of generated app passwords: six groups of four characters from a 31-letter alphabet
 * without look-alikes ({@code abcd-efgh-…}). The first group is the credential's id, stored in
 * clear: a login with such a password hashes only the credential with that id, so a user with ten
 * app passwords costs one argon2id hash per login, not eleven. The other five groups (about 99
 * bits) are the secret.
 */
public final class AppPasswords {
  static final String ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
  static final int ID_LENGTH = 4;
  private static final int GROUPS = 6;

  private AppPasswords() {}

  /**
   * A new app password: the credential to store, and the password to show once.
   *
   * @param password the generated password; the caller wipes it after showing it
   */
  public record Issued(AppPassword credential, char[] password) {}

  /**
   * Makes an app password named {@code name} for {@code user}, hashed like the main password.
   *
   * @throws IllegalArgumentException when the name is not valid or the user has one by that name
   */
  public static Issued issue(
      User user, String name, PasswordHasher hasher, SecureRandom random, Instant now) {
    if (!AppPassword.validName(name)) {
      throw new IllegalArgumentException(
          "an app password name is 1-64 letters, digits, '.', '_' or '-': " + name);
    }
    if (user.appPassword(name).isPresent()) {
      throw new IllegalArgumentException(
          user.name() + " already has an app password named " + name);
    }
    String id;
    do {
      id = newId(random);
    } while (hasId(user, id));
    char[] password = generate(random, id);
    return new Issued(new AppPassword(name, id, hasher.hash(password), now), password);
  }

  private static boolean hasId(User user, String id) {
    return user.appPasswords().stream().anyMatch(a -> a.id().equals(id));
  }

  /** A new app password whose id is {@code id}'s. */
  static char[] generate(SecureRandom random, String id) {
    char[] out = new char[GROUPS * (ID_LENGTH + 1) - 1];
    int o = 0;
    for (int g = 0; g < GROUPS; g++) {
      if (g > 0) {
        out[o++] = '-';
      }
      for (int i = 0; i < ID_LENGTH; i++) {
        out[o++] = g == 0 ? id.charAt(i) : ALPHABET.charAt(random.nextInt(ALPHABET.length()));
      }
    }
    return out;
  }

  /** A random id. */
  static String newId(SecureRandom random) {
    StringBuilder sb = new StringBuilder(ID_LENGTH);
    for (int i = 0; i < ID_LENGTH; i++) {
      sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }

  static boolean isId(String s) {
    if (s.length() != ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (ALPHABET.indexOf(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The id of {@code password} if it has the form of a generated app password. */
  static Optional<String> idOf(char[] password) {
    if (password.length != GROUPS * (ID_LENGTH + 1) - 1) {
      return Optional.empty();
    }
    for (int i = 0; i < password.length; i++) {
      boolean dash = i % (ID_LENGTH + 1) == ID_LENGTH;
      char c = password[i];
      if (dash ? c != '-' : ALPHABET.indexOf(c) < 0) {
        return Optional.empty();
      }
    }
    return Optional.of(new String(password, 0, ID_LENGTH));
  }
}
