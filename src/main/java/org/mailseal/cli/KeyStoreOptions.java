// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.nio.file.Path;
import java.time.Clock;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyStore;
import picocli.CommandLine.Option;

/** Where the {@code keys} commands find the key store: the same directory {@code serve} uses. */
final class KeyStoreOptions {
  @Option(
      names = "--keys-dir",
      defaultValue = "keys",
      paramLabel = "DIR",
      description = "Key store directory (default: ${DEFAULT-VALUE}).")
  Path keysDir;

  KeyStore open(Clock clock) {
    return new FileKeyStore(keysDir, clock);
  }
}
