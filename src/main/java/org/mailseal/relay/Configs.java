// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import java.nio.file.Path;
import java.util.Optional;
import org.mailseal.config.ConfigException;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.ConfigLocation;
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
      throw problems(e);
    }
  }

  /** Every problem of the file, one per line, as one failure. */
  private static RelayException problems(ConfigException e) {
    return new RelayException(
        RelayException.Kind.CONFIGURATION,
        "configuration has "
            + e.problems().size()
            + (e.problems().size() == 1 ? " problem:\n" : " problems:\n")
            + e.getMessage(),
        e);
  }

  /**
   * {@link #load}, then every check {@code serve} makes of the configuration before it binds a port
   * (each secret is read and must be usable): what {@code config check} runs, and what {@code
   * serve} should load with.
   *
   * @throws RelayException listing every problem, each with its file, line, column and key
   */
  public static MailsealConfig loadForServe(Path file) throws RelayException {
    try {
      return ConfigLoader.loadForServe(file);
    } catch (ConfigException e) {
      throw problems(e);
    }
  }

  /**
   * {@code file} when given, else the file {@code $MAILSEAL_CONFIG} names, else the first of {@code
   * ./config/mailseal.yaml} and {@code /etc/mailseal/mailseal.yaml} that exists, else empty ({@link
   * ConfigLocation}).
   */
  public static Optional<MailsealConfig> loadIfPresent(Path file) throws RelayException {
    Optional<Path> found = ConfigLocation.existing(file);
    return found.isPresent() ? Optional.of(load(found.get())) : Optional.empty();
  }
}
