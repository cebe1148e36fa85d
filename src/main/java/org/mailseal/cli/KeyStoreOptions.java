// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import org.mailseal.config.MailsealConfig;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyStore;
import org.mailseal.relay.Cluster;
import org.mailseal.relay.Configs;
import org.mailseal.relay.RelayException;
import picocli.CommandLine.Option;

/**
 * Where the {@code keys} and {@code dns} commands find the key store: the same as {@code serve}'s,
 * that is the cluster's database when the configuration has a {@code cluster:} section, else the
 * directory it names; {@code --keys-dir} always means that directory.
 */
final class KeyStoreOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Configuration file (default: config/mailseal.yaml, when it exists).")
  Path config;

  @Option(
      names = "--keys-dir",
      paramLabel = "DIR",
      description = "Key store directory (default: keys.directory of the configuration, or keys).")
  Path keysDir;

  /** The configuration, when one was given or the default file exists. */
  Optional<MailsealConfig> configuration() throws RelayException {
    return Configs.loadIfPresent(config);
  }

  Path directory() throws RelayException {
    if (keysDir != null) {
      return keysDir;
    }
    return configuration().map(c -> c.keys().directory()).orElse(Path.of("keys"));
  }

  KeyStore open(Clock clock) throws RelayException {
    if (keysDir == null) {
      Optional<MailsealConfig.Cluster> cluster = configuration().flatMap(MailsealConfig::cluster);
      if (cluster.isPresent()) {
        // The pool lives as long as the command; the process ends with it.
        return Cluster.open(cluster.get(), clock, new SecureRandom()).keys();
      }
    }
    return new FileKeyStore(directory(), clock);
  }
}
