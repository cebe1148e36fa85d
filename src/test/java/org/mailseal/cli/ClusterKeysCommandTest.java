// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.PostgresServer;

/** With a {@code cluster:} section, the {@code keys} commands work on the shared database. */
@ExtendWith(PostgresServer.Extension.class)
public class ClusterKeysCommandTest {
  public static final String KEK = "bWFpbHNlYWwgY2x1c3RlciB0ZXN0IGtleSAzMiBieXQ=";

  @TempDir Path dir;
  private Path config;
  private Path kek;

  @BeforeEach
  void clusterConfig(PostgresServer pg) throws Exception {
    kek = dir.resolve("kek");
    Files.writeString(kek, KEK + "\n");
    config = dir.resolve("mailseal.yaml");
    Files.writeString(
        config,
        "keys:\n  directory: "
            + dir.resolve("keys")
            + "\n  dns-export: "
            + dir.resolve("dns")
            + "\ncluster:\n  database: "
            + pg.createDatabase()
            + "\n  username: "
            + pg.user()
            + "\n  kek-file: "
            + kek
            + "\n  pool-size: 2\n"
            + "domains:\n  example.com: {}\n");
  }

  @Test
  void keysCommandsUseTheDatabaseNotTheKeyDirectory() throws Exception {
    SignVerifyCommandTest.Run gen =
        run(
            "keys",
            "generate",
            "--config",
            config.toString(),
            "--domain",
            "example.com",
            "--algorithm",
            "ed25519");
    assertThat(gen.code()).as(gen.err()).isZero();
    assertThat(dir.resolve("keys")).doesNotExist();
    SignVerifyCommandTest.Run list = run("keys", "list", "--config", config.toString());
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out()).contains("example.com").contains("PENDING");
  }

  @Test
  void aBadKeyEncryptionKeyIsOneLine() throws Exception {
    Files.writeString(kek, "too short\n");
    SignVerifyCommandTest.Run list = run("keys", "list", "--config", config.toString());
    assertThat(list.code()).isEqualTo(CliException.USAGE);
    assertThat(list.err())
        .isEqualTo(
            "mailseal: cluster: key-encryption key: the key-encryption key must be 32 bytes in"
                + " base64 or 64 hex digits (make one with: openssl rand -base64 32)\n");
  }
}
