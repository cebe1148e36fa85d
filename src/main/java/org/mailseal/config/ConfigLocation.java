// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a command finds the configuration file when {@code --config} is not given: {@code
 * $MAILSEAL_CONFIG}, else {@code ./config/mailseal.yaml} when it exists (a source tree), else the
 * installed {@code /etc/mailseal/mailseal.yaml}.
 */
public final class ConfigLocation {
  /** The environment variable naming the configuration file. */
  public static final String ENV = "MAILSEAL_CONFIG";

  /** The file the Debian package installs. */
  public static final Path INSTALLED = Path.of("/etc/mailseal/mailseal.yaml");

  private ConfigLocation() {}

  /** The file to load; it may not exist, and loading it then says so, naming it. */
  public static Path find(Path option) {
    return find(option, System.getenv());
  }

  public static Path find(Path option, Map<String, String> env) {
    if (option != null) {
      return option;
    }
    String named = env.get(ENV);
    if (named != null && !named.isBlank()) {
      return Path.of(named);
    }
    return Files.exists(ConfigLoader.DEFAULT) ? ConfigLoader.DEFAULT : INSTALLED;
  }

  /**
   * For commands that also work without a configuration: the file given ({@code --config} or {@code
   * $MAILSEAL_CONFIG}, which must then exist), else the first default that exists.
   */
  public static Optional<Path> existing(Path option) {
    return existing(option, System.getenv());
  }

  public static Optional<Path> existing(Path option, Map<String, String> env) {
    Path file = find(option, env);
    boolean given = option != null || (env.get(ENV) != null && !env.get(ENV).isBlank());
    return given || Files.exists(file) ? Optional.of(file) : Optional.empty();
  }

  /** The description of {@code --config} that every command shows. */
  public static final String HELP =
      "Configuration file (default: $MAILSEAL_CONFIG, else config/mailseal.yaml when it exists,"
          + " else /etc/mailseal/mailseal.yaml).";
}
