// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.MailsealConfig;
import org.mailseal.config.SecretRef;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.dns.TxtRecord;
import org.mailseal.records.Rfc2136Updater;
import org.mailseal.records.TxtChange;
import org.mailseal.testing.BindServer;
import org.xbill.DNS.Name;

/** The wait for challenge records at every authoritative server, against a real BIND. */
@Timeout(60)
class ChallengePropagationTest {
  @TempDir Path dir;

  @Test
  void waitsForTheRecordAtEveryAuthoritativeServerAndNamesWhereItIsMissing() throws Exception {
    try (BindServer bind = BindServer.start(dir.resolve("bind"), "example.com")) {
      Name zone = Name.fromString("example.com.");
      Name name = Name.fromString("_acme-challenge.mail.example.com.");
      Map<Name, List<TxtRecord>> records = Map.of(name, List.of(TxtRecord.of("digest-1")));
      ChallengePropagation wait =
          ChallengePropagation.authoritative(
              DnsjavaLookup.server(bind.hostPort()),
              bind.port(),
              Duration.ofMillis(600),
              Duration.ofMillis(200));

      assertThatThrownBy(() -> wait.await(zone, records))
          .isInstanceOf(DnsLookupException.Temporary.class)
          .hasMessageContaining("not visible")
          .hasMessageContaining(
              "_acme-challenge.mail.example.com. at ns1.example.com. (127.0.0.1)");

      Path secret = Files.writeString(dir.resolve("tsig.secret"), bind.secret());
      new Rfc2136Updater(
              bind.address(),
              new MailsealConfig.Tsig(
                  BindServer.KEY_NAME,
                  MailsealConfig.TsigAlgorithm.HMAC_SHA256,
                  new SecretRef(null, secret),
                  "test"),
              Clock.systemUTC(),
              Duration.ofSeconds(5))
          .send(zone, List.of(new TxtChange.Replace(name, 60, List.of(TxtRecord.of("digest-1")))));
      assertThatCode(() -> wait.await(zone, records)).doesNotThrowAnyException();
    }
  }
}
