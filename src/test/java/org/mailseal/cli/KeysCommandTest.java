// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.ZoneServer;
import org.xbill.DNS.Master;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

class KeysCommandTest {
  @TempDir Path dir;

  private String keys() {
    return dir.resolve("keys").toString();
  }

  @Test
  void generatePrintsARecordThatZoneParsersRead() throws Exception {
    SignVerifyCommandTest.Run gen =
        run(
            "keys",
            "generate",
            "--keys-dir",
            keys(),
            "--domain",
            "example.com",
            "--algorithm",
            "both");
    assertThat(gen.code()).as(gen.err()).isZero();
    String zone =
        gen.out().lines().filter(l -> !l.startsWith(";")).reduce("", (a, b) -> a + b + "\n");
    Master master = new Master(new java.io.ByteArrayInputStream(zone.getBytes()));
    Record rsa = master.nextRecord();
    Record ed = master.nextRecord();
    assertThat(rsa.getName().toString()).matches("s\\d{8}r\\._domainkey\\.example\\.com\\.");
    assertThat(((TXTRecord) rsa).getStrings()).hasSizeGreaterThan(1); // 2048-bit key: split
    assertThat(String.join("", ((TXTRecord) ed).getStrings())).startsWith("v=DKIM1; k=ed25519; p=");
    assertThat(gen.out()).doesNotContain("PRIVATE");
  }

  @Test
  void listShowActivateAndRefusedRetire() throws Exception {
    run(
        "keys",
        "generate",
        "--keys-dir",
        keys(),
        "--domain",
        "example.com",
        "--algorithm",
        "ed25519");
    String list = run("keys", "list", "--keys-dir", keys()).out();
    assertThat(list.lines().findFirst().orElseThrow())
        .startsWith("DOMAIN")
        .contains("SELECTOR")
        .endsWith("REVOKED");
    String selector = list.lines().skip(1).findFirst().orElseThrow().split("\\s+")[1];
    assertThat(list).contains("PENDING");

    String[] activate = {
      "keys", "activate", "--keys-dir", keys(), "--domain", "example.com", "--selector", selector
    };
    String record =
        run("keys", "show", "--keys-dir", keys(), "--domain", "example.com", "--selector", selector)
            .out()
            .lines()
            .filter(l -> l.contains(" IN TXT "))
            .findFirst()
            .orElseThrow();
    try (ZoneServer dns = ZoneServer.start("example.com", "")) {
      SignVerifyCommandTest.Run unpublished = run(concat(activate, "--dns-server", dns.hostPort()));
      assertThat(unpublished.code()).isEqualTo(1);
      assertThat(unpublished.err())
          .startsWith("mailseal: " + selector + " of example.com: DNS does not show its record")
          .contains(record)
          .contains("--force");
      assertThat(run("keys", "list", "--keys-dir", keys()).out()).contains("PENDING");

      dns.setZone(record + "\n");
      SignVerifyCommandTest.Run act = run(concat(activate, "--dns-server", dns.hostPort()));
      assertThat(act.out()).as(act.err()).isEqualTo(selector + " of example.com is now ACTIVE\n");
    }

    SignVerifyCommandTest.Run retire =
        run(
            "keys",
            "retire",
            "--keys-dir",
            keys(),
            "--domain",
            "example.com",
            "--selector",
            selector);
    assertThat(retire.code()).isEqualTo(2);
    assertThat(retire.err())
        .isEqualTo(
            "mailseal: cannot retire "
                + selector
                + ": it is the last ACTIVE key of example.com; activate its successor instead\n");

    SignVerifyCommandTest.Run show =
        run(
            "keys",
            "show",
            "--keys-dir",
            keys(),
            "--domain",
            "example.com",
            "--selector",
            selector);
    assertThat(show.out())
        .contains("state:      ACTIVE")
        .contains("BEGIN PUBLIC KEY")
        .doesNotContain("PRIVATE");

    SignVerifyCommandTest.Run revoke =
        run(
            "keys",
            "revoke",
            "--keys-dir",
            keys(),
            "--domain",
            "example.com",
            "--selector",
            selector,
            "--compromised");
    assertThat(revoke.out()).contains("is now REVOKED").contains("\"v=DKIM1; k=ed25519; p=\"");
  }

  @Test
  void importKeepsTheOpendkimSelector() {
    SignVerifyCommandTest.Run imp =
        run(
            "keys",
            "import",
            "--keys-dir",
            keys(),
            "--domain",
            "example.com",
            "--selector",
            "mail",
            "--state",
            "active",
            "src/test/resources/keys/rsa2048-pkcs1.pem");
    assertThat(imp.code()).as(imp.err()).isZero();
    assertThat(imp.out())
        .contains("mail._domainkey.example.com. 3600 IN TXT \"v=DKIM1; k=rsa; p=MIIB");
    assertThat(run("keys", "list", "--keys-dir", keys()).out()).contains("mail").contains("ACTIVE");
  }

  @Test
  void importMakesTheKeyActiveWhenDnsAlreadyShowsItsRecord() throws Exception {
    String file = "src/test/resources/keys/rsa2048-pkcs1.pem";
    String[] imp = {
      "keys", "import", "--keys-dir", keys(), "--domain", "example.com", "--selector", "mail"
    };
    try (ZoneServer dns = ZoneServer.start("example.com", "")) {
      SignVerifyCommandTest.Run pending = run(concat(imp, "--dns-server", dns.hostPort(), file));
      assertThat(pending.code()).as(pending.err()).isZero();
      assertThat(pending.out())
          .contains("as PENDING (DNS does not show its record yet)")
          .contains("; next: publish it, then: mailseal keys activate --domain example.com");
      String record =
          pending.out().lines().filter(l -> l.contains(" IN TXT ")).findFirst().orElseThrow();

      // Moving from OpenDKIM: the record is already published under the old selector.
      dns.setZone(record + "\n");
      String[] again = {
        "keys",
        "import",
        "--keys-dir",
        keys() + "2",
        "--domain",
        "example.com",
        "--selector",
        "mail"
      };
      SignVerifyCommandTest.Run active = run(concat(again, "--dns-server", dns.hostPort(), file));
      assertThat(active.code()).as(active.err()).isZero();
      assertThat(active.out()).contains("as ACTIVE (DNS shows its record)");
      assertThat(run("keys", "list", "--keys-dir", keys() + "2").out()).contains("ACTIVE");
    }
  }

  @Test
  void importRefusesAKeyOfAnAlgorithmTheDomainDoesNotSign() throws Exception {
    Path config = dir.resolve("mailseal.yaml");
    Files.writeString(
        config,
        "keys:\n  directory: "
            + keys()
            + "\ndomains:\n  example.com:\n    algorithms: [ed25519]\n");
    SignVerifyCommandTest.Run r =
        run(
            "keys",
            "import",
            "--config",
            config.toString(),
            "--domain",
            "example.com",
            "--selector",
            "mail",
            "--state",
            "active",
            "src/test/resources/keys/rsa2048-pkcs1.pem");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "mailseal: src/test/resources/keys/rsa2048-pkcs1.pem is an rsa key, but example.com"
                + " signs with [ed25519] only (domains.example.com.algorithms): it would never"
                + " sign; add rsa there first\n");
    assertThat(run("keys", "list", "--config", config.toString()).out()).doesNotContain("mail");
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  @Test
  void badInputIsOneLine() {
    SignVerifyCommandTest.Run bits =
        run("keys", "generate", "--keys-dir", keys(), "--domain", "example.com", "--bits", "1024");
    assertThat(bits.code()).isEqualTo(2);
    assertThat(bits.err())
        .isEqualTo("mailseal: --bits: RSA keys must have 2048, 3072 or 4096 bits, not 1024\n");
    SignVerifyCommandTest.Run dom =
        run("keys", "list", "--keys-dir", keys(), "--domain", "not a domain");
    assertThat(dom.err()).isEqualTo("mailseal: --domain: not a domain name: not a domain\n");
    SignVerifyCommandTest.Run missing =
        run(
            "keys",
            "activate",
            "--keys-dir",
            keys(),
            "--domain",
            "example.com",
            "--selector",
            "nope");
    assertThat(missing.err()).isEqualTo("mailseal: no key nope for example.com\n");
  }

  @Test
  void revokingAnActiveKeyNeedsCompromised() {
    run(
        "keys",
        "import",
        "--keys-dir",
        keys(),
        "--domain",
        "example.com",
        "--selector",
        "mail",
        "--state",
        "active",
        "src/test/resources/keys/ed25519-pkcs8.pem");
    SignVerifyCommandTest.Run refused =
        run(
            "keys",
            "revoke",
            "--keys-dir",
            keys(),
            "--domain",
            "example.com",
            "--selector",
            "mail");
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err())
        .contains("is ACTIVE: revoking it stops signing at once; add --compromised");
    SignVerifyCommandTest.Run revoked =
        run(
            "keys",
            "revoke",
            "--keys-dir",
            keys(),
            "--domain",
            "example.com",
            "--selector",
            "mail",
            "--compromised");
    assertThat(revoked.code()).isZero();
    assertThat(revoked.out()).startsWith("mail of example.com is now REVOKED");
  }

  @Test
  void reconcileMakesTheFirstKeysExportsTheRecordsAndRotateMakesMore() throws Exception {
    Path config = dir.resolve("mailseal.yaml");
    java.nio.file.Files.writeString(
        config,
        "keys:\n  directory: "
            + keys()
            + "\n  dns-export: "
            + dir.resolve("dns")
            + "\n"
            + "domains:\n  example.com: {}\n");
    try (ZoneServer dns = ZoneServer.start("example.com", "")) {
      SignVerifyCommandTest.Run first =
          run("keys", "reconcile", "--config", config.toString(), "--dns-server", dns.hostPort());
      assertThat(first.code()).as(first.err()).isZero();
      assertThat(first.out().lines())
          .containsExactly(
              "generate rsa key for example.com (first key)",
              "generate ed25519 key for example.com (first key)");
      assertThat(
              run(
                      "keys",
                      "reconcile",
                      "--config",
                      config.toString(),
                      "--dns-server",
                      dns.hostPort())
                  .out())
          .isEmpty();
      String zone = java.nio.file.Files.readString(dir.resolve("dns/example.com.zone"));
      assertThat(zone).contains("_domainkey.example.com. 3600 IN TXT").contains("v=spf1 ~all");
      assertThat(dir.resolve("dns/example.com.json")).exists();
      SignVerifyCommandTest.Run rotate =
          run("keys", "rotate", "--config", config.toString(), "--domain", "example.com");
      assertThat(rotate.code()).as(rotate.err()).isZero();
      assertThat(run("keys", "list", "--keys-dir", keys()).out().lines().count()).isEqualTo(5);
    }
  }
}
