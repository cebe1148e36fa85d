// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.ZoneServer;

/** A parked domain: the records that say it sends no mail, and the check that DNS has them. */
@Timeout(60)
class ParkedDomainTest {
  @TempDir Path dir;

  private Path config(String extra) throws Exception {
    Path config = dir.resolve("mailseal.yaml");
    Files.writeString(
        config,
        "keys:\n  directory: "
            + dir.resolve("keys")
            + "\ndomains:\n  example.com: {}\n  parked.example:\n    parked: true\n"
            + extra);
    return config;
  }

  @Test
  void recordsOfAParkedDomainSayItSendsNothingAndTheCheckFindsThem() throws Exception {
    Path config = config("    dmarc:\n      rua: [\"mailto:dmarc@example.com\"]\n");
    SignVerifyCommandTest.Run records =
        run(
            "dns",
            "records",
            "--config",
            config.toString(),
            "--domain",
            "parked.example",
            "--format",
            "bind");
    assertThat(records.code()).as(records.err()).isZero();
    assertThat(records.out())
        .contains("parked.example. 3600 IN TXT \"v=spf1 -all\"")
        .contains(
            "_dmarc.parked.example. 3600 IN TXT \"v=DMARC1; p=reject;"
                + " rua=mailto:dmarc@example.com\"")
        .contains("parked.example. 3600 IN MX 0 .")
        .contains("*._domainkey.parked.example. 3600 IN TXT \"v=DKIM1; p=\"");
    assertThat(run("keys", "list", "--config", config.toString()).out())
        .doesNotContain("parked.example");

    try (ZoneServer dns = ZoneServer.start("parked.example", "")) {
      String[] check = {
        "dns",
        "check",
        "--config",
        config.toString(),
        "--domain",
        "parked.example",
        "--dns-server",
        dns.hostPort()
      };
      SignVerifyCommandTest.Run missing = run(check);
      assertThat(missing.code()).isEqualTo(1);
      assertThat(missing.out()).contains("MX").contains("missing");

      dns.setZone(records.out());
      SignVerifyCommandTest.Run ok = run(check);
      assertThat(ok.code()).as(ok.out() + ok.err()).isZero();

      dns.setZone(records.out().replace("IN MX 0 .", "IN MX 10 mx.example.com."));
      SignVerifyCommandTest.Run different = run(check);
      assertThat(different.code()).isEqualTo(1);
      assertThat(different.out()).contains("10 mx.example.com.");
    }
  }

  @Test
  void aParkedDomainWithSigningSettingsIsAConfigurationMistake() throws Exception {
    Path config = config("    algorithms: [rsa]\n");
    SignVerifyCommandTest.Run check = run("config", "check", "--config", config.toString());
    assertThat(check.code()).isEqualTo(2);
    assertThat(check.err())
        .contains(
            "domains.parked.example.algorithms: a parked domain has no keys: remove algorithms or"
                + " parked");
  }
}
