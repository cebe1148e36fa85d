// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.Selector;
import org.mailseal.testing.BindServer;
import org.xbill.DNS.Name;

/** {@code mailseal dns publish} and {@code config check} of TSIG secrets, against a real BIND. */
@Timeout(60)
class DnsPublishCommandTest {
  @TempDir static Path dir;
  static BindServer bind;
  static DkimKey key;
  static Path secret;

  @BeforeAll
  static void setUp() throws Exception {
    bind = BindServer.start(dir.resolve("bind"), "example.com");
    FileKeyStore store = new FileKeyStore(dir.resolve("keys"), Clock.systemUTC());
    key =
        store.add(
            "example.com",
            new Selector("s20261122e"),
            new KeyGenerator(new SecureRandom()).generate(KeyAlgorithm.ED25519, 2048).getPrivate(),
            KeyState.PENDING);
    secret = dir.resolve("tsig.secret");
  }

  @AfterAll
  static void tearDown() {
    if (bind != null) {
      bind.close();
    }
  }

  static Path config(String secretFile) throws Exception {
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(
        file,
        "keys:\n  directory: "
            + dir.resolve("keys")
            + "\n  dns-export: "
            + dir.resolve("dns")
            + "\ndns-updates:\n  primary:\n    rfc2136:\n      server: "
            + bind.hostPort()
            + "\n      tsig:\n        name: mailseal.\n        algorithm: hmac-sha256\n"
            + "        secret-file: "
            + secretFile
            + "\ndomains:\n  example.com:\n    rotation:\n      publish: primary\n");
    return file;
  }

  static int served() throws Exception {
    return DnsjavaLookup.server(bind.hostPort())
        .txt(Name.fromString(key.recordName() + "."))
        .size();
  }

  @Test
  void dryRunPrintsTheUpdateAndPublishWritesIt() throws Exception {
    Files.writeString(secret, bind.secret() + "\n");
    Path config = config(secret.toString());

    SignVerifyCommandTest.Run dry =
        run("dns", "publish", "--config", config.toString(), "--dry-run");
    assertThat(dry.code()).isZero();
    assertThat(dry.out())
        .contains("opcode: UPDATE")
        .contains(key.recordName() + ".")
        .contains(key.record().render().substring(0, 20));
    assertThat(served()).isZero();

    SignVerifyCommandTest.Run real = run("dns", "publish", "--config", config.toString());
    assertThat(real.code()).isZero();
    assertThat(real.out()).contains("example.com: " + bind.hostPort() + " accepted 1 change(s)");
    assertThat(served()).isEqualTo(1);
  }

  @Test
  void wrongSecretExitsOneNamingBadsig() throws Exception {
    Path wrong = dir.resolve("wrong.secret");
    Files.writeString(wrong, "c2VjcmV0IHRoYXQgaXMgbm90IHRoZSBzZXJ2ZXIncw==\n");
    SignVerifyCommandTest.Run r =
        run("dns", "publish", "--config", config(wrong.toString()).toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("BADSIG");
  }

  @Test
  void configCheckNamesAnUnreadableOrBadSecretWithItsPlace() throws Exception {
    Path config = config(dir.resolve("missing.secret").toString());
    SignVerifyCommandTest.Run missing = run("config", "check", "--config", config.toString());
    assertThat(missing.code()).isNotZero();
    assertThat(missing.err())
        .contains(
            config
                + ":11:9: dns-updates.primary.rfc2136.tsig.secret-file: cannot read secret file");

    Path bad = dir.resolve("bad.secret");
    Files.writeString(bad, "not base64!\n");
    SignVerifyCommandTest.Run notBase64 =
        run("config", "check", "--config", config(bad.toString()).toString());
    assertThat(notBase64.code()).isNotZero();
    assertThat(notBase64.err()).contains(":11:22: ").contains("is not valid base64");

    Files.writeString(secret, bind.secret() + "\n");
    assertThat(run("config", "check", "--config", config(secret.toString()).toString()).code())
        .isZero();
  }
}
