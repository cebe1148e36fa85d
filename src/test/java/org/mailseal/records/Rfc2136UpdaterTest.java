// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.config.MailsealConfig;
import org.mailseal.config.SecretRef;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.dns.TxtRecord;
import org.mailseal.testing.BindServer;
import org.xbill.DNS.Name;

/** RFC 2136 updates with TSIG against a real BIND primary on loopback. */
@Timeout(60)
class Rfc2136UpdaterTest {
  @TempDir static Path dir;
  static BindServer bind;

  static final Name ZONE = name("example.com.");
  static final Name SELECTOR = name("s20261122e._domainkey.example.com.");

  @BeforeAll
  static void startBind() throws Exception {
    bind = BindServer.start(dir.resolve("bind"), "example.com");
  }

  @AfterAll
  static void stopBind() {
    if (bind != null) {
      bind.close();
    }
  }

  static Name name(String n) {
    try {
      return Name.fromString(n);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static MailsealConfig.Tsig key(String keyName, String secret) throws Exception {
    Path file = Files.createTempFile(dir, "tsig", ".secret");
    Files.writeString(file, secret + "\n");
    return new MailsealConfig.Tsig(
        keyName, MailsealConfig.TsigAlgorithm.HMAC_SHA256, new SecretRef(null, file), "test");
  }

  static Rfc2136Updater updater(MailsealConfig.Tsig key, Clock clock) {
    return new Rfc2136Updater(bind.address(), key, clock, Duration.ofSeconds(5));
  }

  static List<String> served(Name n) throws Exception {
    return DnsjavaLookup.server(bind.hostPort()).txt(n).stream().map(TxtRecord::text).toList();
  }

  @Test
  void replaceWritesTheWholeRrsetAndDeleteRemovesIt() throws Exception {
    Rfc2136Updater u = updater(key(BindServer.KEY_NAME, bind.secret()), Clock.systemUTC());
    u.send(
        ZONE,
        List.of(
            new TxtChange.Replace(
                SELECTOR, 3600, List.of(TxtRecord.of("v=DKIM1; k=ed25519; p=first")))));
    u.send(
        ZONE,
        List.of(
            new TxtChange.Replace(
                SELECTOR,
                3600,
                List.of(TxtRecord.split("v=DKIM1; k=ed25519; p=" + "A".repeat(300))))));
    assertThat(served(SELECTOR)).containsExactly("v=DKIM1; k=ed25519; p=" + "A".repeat(300));
    assertThat(u.txt(SELECTOR)).hasSize(1);

    u.send(ZONE, List.of(new TxtChange.Delete(SELECTOR)));
    assertThat(served(SELECTOR)).isEmpty();
  }

  @Test
  void wrongSecretFailsWithBadsigAndChangesNothing() throws Exception {
    Rfc2136Updater u =
        updater(
            key(BindServer.KEY_NAME, "c2VjcmV0IHRoYXQgaXMgbm90IHRoZSBzZXJ2ZXIncw=="),
            Clock.systemUTC());
    Name other = name("bad._domainkey.example.com.");
    assertThatThrownBy(
            () ->
                u.send(
                    ZONE,
                    List.of(new TxtChange.Replace(other, 3600, List.of(TxtRecord.of("v=DKIM1"))))))
        .isInstanceOfSatisfying(
            DnsUpdateException.class,
            e -> {
              assertThat(e.code()).isEqualTo("BADSIG");
              assertThat(e.getMessage()).contains("BADSIG").contains("secret");
              assertThat(e.isTemporary()).isFalse();
            });
    assertThat(served(other)).isEmpty();
  }

  @Test
  void keyTheServerDoesNotKnowFailsWithBadkey() throws Exception {
    Rfc2136Updater u = updater(key("stranger.", bind.secret()), Clock.systemUTC());
    assertThatThrownBy(() -> u.send(ZONE, List.of(new TxtChange.Delete(SELECTOR))))
        .isInstanceOfSatisfying(
            DnsUpdateException.class, e -> assertThat(e.code()).isEqualTo("BADKEY"));
  }

  @Test
  void nameOutsideTheUpdatePolicyIsRefused() throws Exception {
    Rfc2136Updater u = updater(key(BindServer.KEY_NAME, bind.secret()), Clock.systemUTC());
    assertThatThrownBy(
            () ->
                u.send(
                    ZONE,
                    List.of(
                        new TxtChange.Replace(ZONE, 3600, List.of(TxtRecord.of("v=spf1 -all"))))))
        .isInstanceOfSatisfying(
            DnsUpdateException.class,
            e -> {
              assertThat(e.code()).isEqualTo("REFUSED");
              assertThat(e.getMessage()).contains("update-policy");
            });
  }

  @Test
  void clockSkewedPastTheFudgeFailsWithBadtime() throws Exception {
    Clock skewed = Clock.offset(Clock.systemUTC(), Duration.ofHours(1));
    Rfc2136Updater u = updater(key(BindServer.KEY_NAME, bind.secret()), skewed);
    assertThatThrownBy(() -> u.send(ZONE, List.of(new TxtChange.Delete(SELECTOR))))
        .isInstanceOfSatisfying(
            DnsUpdateException.class,
            e -> {
              assertThat(e.code()).isEqualTo("BADTIME");
              assertThat(e.isTemporary()).isTrue();
            });
  }

  @Test
  void secretThatIsNotBase64IsNamedAsSuch() throws Exception {
    MailsealConfig.Tsig k = key(BindServer.KEY_NAME, "not base64 at all!");
    assertThat(Rfc2136Updater.secretProblem(k)).get().asString().contains("not valid base64");
    assertThatThrownBy(
            () -> updater(k, Clock.systemUTC()).send(ZONE, List.of(new TxtChange.Delete(SELECTOR))))
        .isInstanceOfSatisfying(
            DnsUpdateException.class, e -> assertThat(e.code()).isEqualTo("SECRET"));
    assertThat(Rfc2136Updater.secretProblem(key(BindServer.KEY_NAME, bind.secret()))).isEmpty();
  }

  @Test
  void serverThatNeverAnswersTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
      Rfc2136Updater u =
          new Rfc2136Updater(
              new InetSocketAddress("127.0.0.1", silent.getLocalPort()),
              key(BindServer.KEY_NAME, bind.secret()),
              Clock.systemUTC(),
              Duration.ofMillis(500));
      assertThatThrownBy(() -> u.send(ZONE, List.of(new TxtChange.Delete(SELECTOR))))
          .isInstanceOfSatisfying(
              DnsUpdateException.class,
              e -> {
                assertThat(e.code()).isEqualTo("TIMEOUT");
                assertThat(e.isTemporary()).isTrue();
              });
    }
  }
}
