// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.MailsealConfig;
import org.mailseal.config.MailsealConfig.PublishedRecord;
import org.mailseal.config.SecretRef;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.dns.TxtRecord;
import org.mailseal.testing.BindServer;
import org.xbill.DNS.Name;

/**
 * What {@link DnsPublisher} writes to a real BIND: SPF and DMARC only when the domain opts in, and
 * then only the policy record is swapped; a selector that leaves the plan is deleted.
 */
@Timeout(60)
class DnsPublisherTest {
  @TempDir static Path dir;
  static BindServer bind;
  static Rfc2136Updater updater;

  @BeforeAll
  static void startBind() throws Exception {
    // Each test uses its own zone; the key may also write the apex and _dmarc TXT of the SPF ones.
    bind =
        BindServer.builder(dir.resolve("bind"))
            .zone(
                "optout.test",
                "@ IN TXT \"v=spf1 include:other-sender.example ~all\"\n"
                    + "_dmarc IN TXT \"v=DMARC1; p=reject\"\n")
            .zone(
                "optin.test",
                "@ IN TXT \"site-verification=abc\"\n"
                    + "@ IN TXT \"v=spf1 include:old.example ~all\"\n")
            .zones("drop.test")
            .grant("name optin.test. TXT")
            .grant("name _dmarc.optin.test. TXT")
            .grant("name optout.test. TXT")
            .start();
    Path secret = dir.resolve("tsig.secret");
    Files.writeString(secret, bind.secret());
    updater =
        new Rfc2136Updater(
            bind.address(),
            new MailsealConfig.Tsig(
                BindServer.KEY_NAME,
                MailsealConfig.TsigAlgorithm.HMAC_SHA256,
                new SecretRef(null, secret),
                "test"),
            Clock.systemUTC(),
            Duration.ofSeconds(5));
  }

  @AfterAll
  static void stopBind() {
    if (bind != null) {
      bind.close();
    }
  }

  static DnsPublisher publisher(String domain, Set<PublishedRecord> kinds, List<String> failed)
      throws Exception {
    return new DnsPublisher(
        Map.of(domain, new DnsPublisher.Target(updater, Name.fromString(domain + "."), kinds)),
        Clock.systemUTC(),
        (d, code) -> failed.add(d + " " + code));
  }

  static List<DnsRecord> plan(String domain, String... selectors) {
    List<DnsRecord> out = new ArrayList<>();
    for (String s : selectors) {
      out.add(
          DnsRecord.of(
              s + "._domainkey." + domain,
              DnsRecord.Kind.DKIM_KEY,
              3600,
              "v=DKIM1; k=ed25519; p=" + s,
              "key " + s));
    }
    out.add(DnsRecord.of(domain, DnsRecord.Kind.SPF, 3600, "v=spf1 ip4:192.0.2.1 -all", "spf"));
    out.add(
        DnsRecord.of("_dmarc." + domain, DnsRecord.Kind.DMARC, 3600, "v=DMARC1; p=none", "dmarc"));
    return out;
  }

  static List<String> served(String name) throws Exception {
    return DnsjavaLookup.server(bind.hostPort()).txt(Name.fromString(name + ".")).stream()
        .map(TxtRecord::text)
        .sorted()
        .toList();
  }

  @Test
  void spfAndDmarcOfTheOwnerStayWithoutOptIn() throws Exception {
    List<String> failed = new ArrayList<>();
    DnsPublisher p = publisher("optout.test", Set.of(PublishedRecord.DKIM), failed);
    DnsPublisher.Outcome o = p.publish("optout.test", plan("optout.test", "s1"));
    assertThat(o).isInstanceOf(DnsPublisher.Updated.class);
    assertThat(((DnsPublisher.Updated) o).changes())
        .extracting(TxtChange::describe)
        .containsExactly("replace TXT s1._domainkey.optout.test. \"v=DKIM1; k=ed25519; p=s1\"");
    assertThat(served("optout.test")).containsExactly("v=spf1 include:other-sender.example ~all");
    assertThat(served("_dmarc.optout.test")).containsExactly("v=DMARC1; p=reject");
    assertThat(failed).isEmpty();
  }

  @Test
  void optedInSpfAndDmarcSwapOnlyThePolicyRecord() throws Exception {
    List<String> failed = new ArrayList<>();
    DnsPublisher p =
        publisher(
            "optin.test",
            Set.of(PublishedRecord.DKIM, PublishedRecord.SPF, PublishedRecord.DMARC),
            failed);
    assertThat(p.publish("optin.test", plan("optin.test", "s1")).accepted()).isTrue();
    assertThat(served("optin.test"))
        .containsExactly("site-verification=abc", "v=spf1 ip4:192.0.2.1 -all");
    assertThat(served("_dmarc.optin.test")).containsExactly("v=DMARC1; p=none");
    assertThat(served("s1._domainkey.optin.test")).containsExactly("v=DKIM1; k=ed25519; p=s1");
    // Confirmed: the same plan again sends nothing.
    assertThat(p.publish("optin.test", plan("optin.test", "s1")))
        .isInstanceOf(DnsPublisher.Unchanged.class);
    assertThat(failed).isEmpty();
  }

  @Test
  void selectorThatLeavesThePlanIsDeleted() throws Exception {
    List<String> failed = new ArrayList<>();
    DnsPublisher p = publisher("drop.test", Set.of(PublishedRecord.DKIM), failed);
    p.publish("drop.test", plan("drop.test", "s1", "s2"));
    assertThat(served("s1._domainkey.drop.test")).hasSize(1);
    DnsPublisher.Outcome o = p.publish("drop.test", plan("drop.test", "s2"));
    assertThat(((DnsPublisher.Updated) o).changes())
        .extracting(TxtChange::describe)
        .containsExactly("delete TXT s1._domainkey.drop.test.");
    assertThat(served("s1._domainkey.drop.test")).isEmpty();
    assertThat(served("s2._domainkey.drop.test")).hasSize(1);
  }

  @Test
  void refusedUpdateIsAFailureAndBacksOff() throws Exception {
    List<String> failed = new ArrayList<>();
    // optout.test's _dmarc name is outside the key's policy: REFUSED.
    DnsPublisher p =
        publisher("optout.test", Set.of(PublishedRecord.DKIM, PublishedRecord.DMARC), failed);
    DnsPublisher.Outcome o = p.publish("optout.test", plan("optout.test", "s9"));
    assertThat(o).isInstanceOf(DnsPublisher.Failed.class);
    assertThat(o.describe()).contains("REFUSED");
    assertThat(failed).containsExactly("optout.test REFUSED");
    assertThat(p.publish("optout.test", plan("optout.test", "s9")))
        .isInstanceOf(DnsPublisher.Waiting.class);
    assertThat(served("_dmarc.optout.test")).containsExactly("v=DMARC1; p=reject");
  }
}
