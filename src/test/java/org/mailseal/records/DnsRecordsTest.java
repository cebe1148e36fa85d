// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.Selector;
import org.mailseal.testing.ZoneServer;
import org.xbill.DNS.Master;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

class DnsRecordsTest {
  static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  static PublicKey rsa4096;
  static PublicKey rsa2048;
  static PublicKey ed;

  @BeforeAll
  static void keys() throws Exception {
    // Stored public keys: generating a 4096-bit RSA pair took a second and a half.
    rsa4096 = publicKey("rsa4096-public.pem", "RSA");
    rsa2048 = publicKey("rsa2048-public.pem", "RSA");
    ed = publicKey("ed25519-public.pem", "Ed25519");
  }

  static PublicKey publicKey(String file, String algorithm) throws Exception {
    String pem = Files.readString(Path.of("src/test/resources/keys", file));
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance(algorithm)
        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  static DkimKey key(String selector, PublicKey pub, KeyState state, Instant revoked) {
    KeyAlgorithm a = pub.getAlgorithm().equals("RSA") ? KeyAlgorithm.RSA : KeyAlgorithm.ED25519;
    return new DkimKey(
        "example.com",
        new Selector(selector),
        a,
        2048,
        state,
        NOW.minusSeconds(86400),
        state == KeyState.PENDING ? null : NOW.minusSeconds(3600),
        state == KeyState.RETIRED ? NOW : null,
        revoked,
        DkimKeyRecord.forPublicKey(pub));
  }

  static List<DnsRecord> plan() {
    return RecordPlan.forDomain(
        "example.com",
        List.of(
            key("s20261122r", rsa4096, KeyState.PENDING, null),
            key("s20261001r", rsa2048, KeyState.ACTIVE, null),
            key("s20261001e", ed, KeyState.ACTIVE, null),
            key("s20260701r", rsa2048, KeyState.REVOKED, NOW.minusSeconds(86400)),
            key("s20260101r", rsa2048, KeyState.REVOKED, NOW.minusSeconds(86400 * 90))),
        Optional.of("v=spf1 include:_spf.google.com ~all"),
        Optional.of("v=DMARC1; p=none; rua=mailto:dmarc@example.com"),
        NOW);
  }

  @Test
  void planListsWhatToPublishInAStableOrder() {
    assertThat(plan())
        .extracting(r -> r.kind() + " " + r.name())
        .containsExactly(
            "DKIM_KEY s20261001r._domainkey.example.com.",
            "DKIM_KEY s20261001e._domainkey.example.com.",
            "DKIM_KEY s20261122r._domainkey.example.com.",
            "DKIM_REVOCATION s20260701r._domainkey.example.com.",
            "SPF example.com.",
            "DMARC _dmarc.example.com.");
    assertThat(plan().get(0).comment())
        .isEqualTo("DKIM rsa key s20261001r, ACTIVE since 2026-11-22: signs mail now");
    assertThat(plan().get(3).value()).isEqualTo("v=DKIM1; k=rsa; p=");
  }

  @Test
  void bindOutputReadsBackThroughDnsjavasParser() throws Exception {
    List<DnsRecord> plan = plan();
    String zone = ZoneWriter.render(plan, ZoneWriter.Format.BIND);
    Master master = new Master(new ByteArrayInputStream(zone.getBytes(StandardCharsets.US_ASCII)));
    List<Record> parsed = new ArrayList<>();
    Record r;
    while ((r = master.nextRecord()) != null) {
      parsed.add(r);
    }
    assertThat(parsed).hasSameSizeAs(plan);
    for (int i = 0; i < plan.size(); i++) {
      TXTRecord txt = (TXTRecord) parsed.get(i);
      assertThat(txt.getName()).isEqualTo(plan.get(i).name());
      assertThat(txt.getTTL()).isEqualTo(3600);
      assertThat(txt.getStrings()).isEqualTo(plan.get(i).txt().strings());
      assertThat(String.join("", txt.getStrings())).isEqualTo(plan.get(i).value());
    }
    // the 4096-bit key needs several strings, none over 255 bytes
    TXTRecord big = (TXTRecord) parsed.get(2);
    assertThat(big.getStrings()).hasSizeGreaterThanOrEqualTo(3).allMatch(s -> s.length() <= 255);
  }

  @Test
  void tableAndJsonCarryTheSameRecords() throws Exception {
    String table = ZoneWriter.render(plan(), ZoneWriter.Format.TABLE);
    assertThat(table.lines().findFirst().orElseThrow()).startsWith("NAME").contains("TYPE  VALUE");
    assertThat(table).contains("_dmarc.example.com.").contains("TXT   v=DMARC1; p=none");
    JsonNode json = new ObjectMapper().readTree(ZoneWriter.render(plan(), ZoneWriter.Format.JSON));
    assertThat(json).hasSize(6);
    assertThat(json.get(4).get("name").asText()).isEqualTo("example.com.");
    assertThat(json.get(4).get("type").asText()).isEqualTo("TXT");
    assertThat(json.get(4).get("ttl").asLong()).isEqualTo(3600);
    assertThat(json.get(4).get("value").asText()).isEqualTo("v=spf1 include:_spf.google.com ~all");
    assertThat(json.get(2).get("strings").size()).isGreaterThan(1);
  }

  @Test
  void checkerAgainstARealServerFindsOkMissingAndDifferent() throws Exception {
    List<DnsRecord> plan = plan();
    String zone = ZoneWriter.render(plan, ZoneWriter.Format.BIND);
    try (ZoneServer server = ZoneServer.start("example.com", zone)) {
      DnsChecker checker = new DnsChecker(DnsjavaLookup.server(server.hostPort()));
      assertThat(checker.check(plan)).allMatch(CheckResult::ok); // 4096-bit record over TCP
      // A provider that re-splits the key and re-orders DMARC tags is still right.
      String respaced =
          zone.replace(
              "\"v=DMARC1; p=none; rua=mailto:dmarc@example.com\"",
              "\"v=DMARC1;rua=mailto:dmarc@example.com;  p=none\"");
      server.setZone(respaced);
      assertThat(checker.check(plan)).allMatch(CheckResult::ok);
      // Missing and wrong: drop the pending key, publish another key for an active one.
      String broken =
          respaced
              .lines()
              .filter(l -> !l.startsWith("s20261122r"))
              .map(
                  l ->
                      l.startsWith("s20261001e")
                          ? "s20261001e._domainkey.example.com. 3600 IN TXT \""
                              + DkimKeyRecord.forPublicKey(otherEd()).render()
                              + "\""
                          : l)
              .reduce("", (a, b) -> a + b + "\n");
      server.setZone(broken);
      List<CheckResult> results = checker.check(plan);
      assertThat(results.get(1)).isInstanceOf(CheckResult.Different.class);
      assertThat(results.get(1).describe())
          .startsWith("different  s20261001e._domainkey.example.com. TXT expected");
      assertThat(results.get(2)).isInstanceOf(CheckResult.Missing.class);
      assertThat(results.get(0).ok()).isTrue();
      server.servfail("_dmarc.example.com");
      assertThat(checker.check(plan).get(5))
          .isInstanceOfSatisfying(CheckResult.Error.class, e -> assertThat(e.temporary()).isTrue());
    }
  }

  @Test
  void authoritativeCheckNamesTheStaleServer() throws Exception {
    List<DnsRecord> plan = plan();
    String good = ZoneWriter.render(plan, ZoneWriter.Format.BIND);
    String ns =
        "@ 3600 IN NS ns1\n@ 3600 IN NS ns2\nns1 3600 IN A 127.0.0.1\nns2 3600 IN A 127.0.0.2\n";
    String stale =
        good.lines().filter(l -> !l.startsWith("s20261122r")).reduce(ns, (a, b) -> a + b + "\n");
    try (ZoneServer one =
            new ZoneServer(InetAddress.getByName("127.0.0.1"), "example.com", ns + good);
        ZoneServer two = new ZoneServer(InetAddress.getByName("127.0.0.2"), "example.com", stale)) {
      Map<InetAddress, ZoneServer> byAddress =
          Map.of(InetAddress.getByName("127.0.0.1"), one, InetAddress.getByName("127.0.0.2"), two);
      DnsChecker checker = new DnsChecker(DnsjavaLookup.server(one.hostPort()));
      List<CheckResult> results =
          checker.checkAuthoritative(
              plan,
              "example.com",
              a ->
                  DnsjavaLookup.server(
                      new InetSocketAddress(a.getAddress(), byAddress.get(a.getAddress()).port())));
      assertThat(results.get(0).ok()).isTrue();
      assertThat(results.get(0).server()).isEqualTo("2 authoritative servers");
      assertThat(results.get(2)).isInstanceOf(CheckResult.Missing.class);
      assertThat(results.get(2).server()).isEqualTo("ns2.example.com. (127.0.0.2)");
    }
  }

  private static PublicKey otherEd() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
