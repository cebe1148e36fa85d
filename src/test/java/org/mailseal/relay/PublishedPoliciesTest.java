// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;

class PublishedPoliciesTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "config/mailseal.yaml                 | example.com | v=spf1 ~all | v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com",
        "config/examples/gmail-smarthost.yaml | example.com | v=spf1 include:_spf.google.com ~all | v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com",
        "config/examples/isp-relay.yaml       | example.org | v=spf1 include:spf.isp.example.net ~all | v=DMARC1; p=quarantine; t=y; rua=mailto:dmarc@example.org",
        "config/examples/direct-mx.yaml       | example.net | v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 -all | v=DMARC1; p=reject; adkim=s; aspf=s; rua=mailto:dmarc@example.net",
      })
  void recordsFollowTheRouteAndThePolicy(String file, String domain, String spf, String dmarc)
      throws Exception {
    MailsealConfig c = ConfigLoader.load(Path.of(file));
    MailsealConfig.Domain d = c.domain(domain).orElseThrow();
    assertThat(PublishedPolicies.spf(c, d)).isEqualTo(spf);
    assertThat(PublishedPolicies.dmarc(d)).isEqualTo(dmarc).doesNotContain("pct=");
  }
}
