// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.ConfigLocation;
import org.mailseal.testing.FakeDnsLookup;

@Timeout(30)
class ConfigLocationTest {

  @Test
  void optionWinsOverTheEnvironmentWhichWinsOverTheDefaults() {
    Map<String, String> env = Map.of(ConfigLocation.ENV, "/srv/mail/relay.yaml");
    assertThat(ConfigLocation.find(Path.of("given.yaml"), env)).isEqualTo(Path.of("given.yaml"));
    assertThat(ConfigLocation.find(null, env)).isEqualTo(Path.of("/srv/mail/relay.yaml"));
    // The tests run in the source tree, where config/mailseal.yaml exists.
    assertThat(ConfigLocation.find(null, Map.of())).isEqualTo(ConfigLoader.DEFAULT);
  }

  @Test
  void aFileNamedByTheEnvironmentCountsEvenWhenMissingSoLoadingNamesIt() {
    Map<String, String> env = Map.of(ConfigLocation.ENV, "/nonexistent/mailseal.yaml");
    assertThat(ConfigLocation.existing(null, env)).contains(Path.of("/nonexistent/mailseal.yaml"));
  }

  @Test
  void configCheckSaysWhereRelativePathsLand(@TempDir Path dir) throws Exception {
    Path tree = dir.resolve("tree");
    Path file = tree.resolve("config/mailseal.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "domains:\n  example.com: {}\n");
    SignVerifyCommandTest.Run above = run("config", "check", "--config", file.toString());
    assertThat(above.code()).isZero();
    assertThat(above.out())
        .contains(
            "  relative paths: under "
                + tree.toAbsolutePath().normalize()
                + " (the directory above the file's)\n");

    Path installed = dir.resolve("etc/mailseal.yaml");
    Files.createDirectories(installed.getParent());
    Files.writeString(
        installed, "server:\n  base-directory: /var/lib/mailseal\ndomains:\n  example.com: {}\n");
    SignVerifyCommandTest.Run set = run("config", "check", "--config", installed.toString());
    assertThat(set.out())
        .contains("  relative paths: under /var/lib/mailseal (server.base-directory)\n");
  }

  @Test
  void dmarcCheckTakesConfigAndNamesAMissingFile() {
    SignVerifyCommandTest.Run r =
        run("dmarc", "check", "example.com", "--config", "/nonexistent/mailseal.yaml");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("/nonexistent/mailseal.yaml:1:1: no such file");
  }

  @Test
  void dmarcCheckWarnsWhenThePublishedRecordIsNotTheConfiguredOne() {
    FakeDnsLookup dns = new FakeDnsLookup().txt("_dmarc.example.com", "v=DMARC1; p=none");
    StringWriter out = new StringWriter();
    int code =
        DmarcCommand.Check.run(
            dns, "example.com", Optional.of("v=DMARC1; p=quarantine; t=y"), new PrintWriter(out));
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("configured: v=DMARC1; p=quarantine; t=y\n")
        .contains("warning: the published record differs from the configuration's");

    StringWriter same = new StringWriter();
    DmarcCommand.Check.run(
        dns, "example.com", Optional.of("v=DMARC1;p=none"), new PrintWriter(same));
    assertThat(same.toString()).doesNotContain("warning");
  }
}
