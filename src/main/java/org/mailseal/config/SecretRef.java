// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a secret comes from: an environment variable or a file, never the configuration itself. It
 * is read only when used; {@link #toString()} never shows it.
 *
 * @param env the variable's name, or null
 * @param file the file's path, or null
 */
public record SecretRef(String env, Path file) {
  public SecretRef {
    if ((env == null) == (file == null)) {
      throw new IllegalArgumentException("SecretRef: exactly one of env and file");
    }
  }

  /**
   * The secret, without a final newline.
   *
   * @throws IllegalStateException naming the variable or file when it cannot be read
   */
  public String resolve() {
    if (env != null) {
      String v = System.getenv(env);
      if (v == null || v.isEmpty()) {
        throw new IllegalStateException("environment variable " + env + " is not set");
      }
      return v;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read secret file " + file, e);
    }
  }

  @Override
  public String toString() {
    return env != null ? "env:" + env + " (****)" : "file:" + file + " (****)";
  }
}
