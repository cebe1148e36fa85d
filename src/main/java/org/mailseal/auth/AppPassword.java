// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * One named, revocable credential of a user besides the main password, for one device or app.
 *
 * @param name what the owner calls it ({@code phone}, {@code backup-script}): letters, digits,
 *     {@code . _ -}, at most 64
 * @param id the first group of the generated password, kept in clear so that a login hashes only
 *     the one credential it names (see {@link AppPasswords})
 * @param passwordHash argon2id of the whole generated password
 * @param created when it was made
 */
public record AppPassword(String name, String id, String passwordHash, Instant created) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public AppPassword {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "AppPassword: name must be 1-64 letters, digits, '.', '_' or '-': " + name);
    }
    if (!AppPasswords.isId(id)) {
      throw new IllegalArgumentException("AppPassword: id must be " + AppPasswords.ID_LENGTH);
    }
    if (!passwordHash.startsWith("$")) {
      throw new IllegalArgumentException("AppPassword: password must be a hash");
    }
  }

  /** Whether {@code name} is a valid app password name. */
  public static boolean validName(String name) {
    return NAME.matcher(name).matches();
  }

  @Override
  public String toString() {
    return "AppPassword[" + name + ", created=" + created + "]"; // never the hash
  }
}
