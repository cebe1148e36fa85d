// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.FakeDnsLookup;
import org.mailseal.testing.ZoneServer;

/**
 * The documented exit statuses: 0 success, 1 the check found a problem, 2 usage or configuration, 3
 * a service that was needed could not be reached, 70 only for bugs.
 */
@Timeout(60)
class ExitCodesTest {
  @TempDir Path dir;

  private String keyOfExampleCom() {
    String keys = dir.resolve("keys").toString();
    SignVerifyCommandTest.Run gen =
        run(
            "keys",
            "generate",
            "--keys-dir",
            keys,
            "--domain",
            "example.com",
            "--algorithm",
            "ed25519");
    assertThat(gen.code()).as(gen.err()).isZero();
    return keys;
  }

  @Test
  void dnsCheckExitsOneForAMissingRecordAndThreeWhenDnsDoesNotAnswer() throws Exception {
    String keys = keyOfExampleCom();
    try (ZoneServer server = ZoneServer.start("example.com", "")) {
      SignVerifyCommandTest.Run missing =
          run("dns", "check", "--keys-dir", keys, "--dns-server", server.hostPort());
      assertThat(missing.out()).contains("missing");
      assertThat(missing.code()).isEqualTo(1);

      server.servfail("example.com");
      server.servfail("_dmarc.example.com");
      String selector =
          missing.out().lines().filter(l -> l.contains("_domainkey")).findFirst().orElseThrow();
      server.servfail(selector.replaceAll(".*?(\\S+\\._domainkey\\.example\\.com).*", "$1"));
      SignVerifyCommandTest.Run unanswered =
          run("dns", "check", "--keys-dir", keys, "--dns-server", server.hostPort());
      assertThat(unanswered.out()).contains("error");
      assertThat(unanswered.code()).as(unanswered.out()).isEqualTo(3);
    }
  }

  @Test
  void spfAndDmarcCheckExitThreeWhenDnsDoesNotAnswerAndOneWhenThereIsNoRecord() {
    FakeDnsLookup down = new FakeDnsLookup().servfail("example.com").servfail("_dmarc.example.com");
    StringWriter out = new StringWriter();
    assertThat(SpfCommand.Check.run(down, "example.com", null, null, new PrintWriter(out)))
        .isEqualTo(3);
    assertThat(DmarcCommand.Check.run(down, "example.com", new PrintWriter(out))).isEqualTo(3);
    assertThat(
            SpfCommand.Check.run(
                new FakeDnsLookup(), "example.com", null, null, new PrintWriter(out)))
        .isEqualTo(1);
    assertThat(DmarcCommand.Check.run(new FakeDnsLookup(), "example.com", new PrintWriter(out)))
        .isEqualTo(1);
  }

  @Test
  void usageAndConfigurationErrorsExitTwo() {
    assertThat(run("dns", "check", "--no-such-option").code()).isEqualTo(2);
    assertThat(run("config", "check", "--config", "/nonexistent/mailseal.yaml").code())
        .isEqualTo(2);
  }

  @Test
  void helpListsTheExitStatuses() {
    String help = run("--help").out();
    assertThat(help)
        .contains("Exit status:")
        .contains("  0    Success.")
        .contains("  1    A check found a problem")
        .contains("  2    Usage or configuration error")
        .contains("  3    A service it needed could not be reached")
        .contains("  70   Internal error");
  }
}
