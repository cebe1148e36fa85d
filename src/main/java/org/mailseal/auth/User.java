// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.util.List;
import java.util.Locale;
import org.mailseal.policy.SenderPattern;

/**
 * One user of the submission service.
 *
 * @param name the login name, lower case (usually the user's own address)
 * @param passwordHash a PHC string ({@code $argon2id$…}) or bcrypt ({@code $2b$…}); never a
 *     password
 * @param allowed the senders this user may use in MAIL FROM and the header From
 */
public record User(String name, String passwordHash, List<SenderPattern> allowed) {
  public User {
    name = name.strip().toLowerCase(Locale.ROOT);
    if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':')) {
      throw new IllegalArgumentException("User: name must be non-empty, without spaces or colons");
    }
    if (!passwordHash.startsWith("$")) {
      throw new IllegalArgumentException("User: password must be a hash, not a password");
    }
    allowed = List.copyOf(allowed);
  }

  @Override
  public String toString() {
    return "User[" + name + ", allowed=" + allowed + "]"; // never the hash
  }
}
