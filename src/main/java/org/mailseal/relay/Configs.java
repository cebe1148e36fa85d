// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.mailseal.config.ConfigException;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;

/** Loading the configuration, the same way for {@code serve} and for every command. */
public final class Configs {
  private Configs() {}

  /**
   * Loads and checks {@code file}.
   *
   * @throws RelayException listing every problem, each with its file, line, column and key
   */
  public static MailsealConfig load(Path file) throws RelayException {
    try {
      return ConfigLoader.load(file);
    } catch (ConfigException e) {
      throw new RelayException(
          RelayException.Kind.CONFIGURATION,
          "configuration has "
              + e.problems().size()
              + (e.problems().size() == 1 ? " problem:\n" : " problems:\n")
              + e.getMessage(),
          e);
    }
  }

  /** {@code file} when given, else the default file when it exists, else empty. */
  public static Optional<MailsealConfig> loadIfPresent(Path file) throws RelayException {
    if (file != null) {
      return Optional.of(load(file));
    }
    return Files.exists(ConfigLoader.DEFAULT)
        ? Optional.of(load(ConfigLoader.DEFAULT))
        : Optional.empty();
  }
}
