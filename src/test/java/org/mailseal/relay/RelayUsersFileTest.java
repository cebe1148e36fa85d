// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.cli.ServeProcess;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.testing.TestCertificate;

/** The relay refuses to start on a users file of the wrong shape, and says where it is wrong. */
@Timeout(60)
class RelayUsersFileTest {
  @TempDir Path dir;

  @Test
  void aUsersFileThatIsAListOfNamesRefusesToStartNamingFileLineAndColumn() throws Exception {
    List<String> lines = new ArrayList<>(ServeProcess.loopbackListeners(dir));
    lines.addAll(
        List.of(
            "keys:",
            "  directory: " + dir.resolve("keys"),
            "spool:",
            "  directory: " + dir.resolve("spool"),
            "delivery:",
            "  route: file",
            "  file:",
            "    directory: " + dir.resolve("outbox"),
            "domains:",
            "  example.com: {}",
            ""));
    Path yaml = dir.resolve("mailseal.yaml");
    Files.writeString(yaml, String.join("\n", lines));
    // Valid YAML, but a list of names: the old reader took it for "no users" and started.
    Files.writeString(dir.resolve("users.yaml"), "- alice@example.com\n- bob@example.com\n");
    MailsealConfig config = ConfigLoader.load(yaml);
    TestCertificate.placeAsSelfSigned(config.tls().selfSignedDirectory());

    try (Relay relay = new Relay(config, new PrintWriter(new StringWriter()))) {
      assertThatThrownBy(relay::start)
          .isInstanceOf(RelayException.class)
          .hasMessage(
              "cannot start: "
                  + dir.resolve("users.yaml")
                  + ":1:1: must be a map with one key, users:, found a list");
    }
  }
}
