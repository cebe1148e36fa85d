// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;
import static org.mailseal.testing.Waits.await;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.delivery.Bouncer;
import org.mailseal.delivery.ClientTls;
import org.mailseal.delivery.DeliveryWorker;
import org.mailseal.delivery.MxTransport;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.dkim.DkimVerifier;
import org.mailseal.dkim.VerificationResult;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.PemKeys;
import org.mailseal.keys.Selector;
import org.mailseal.relay.SignedSubmission;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.submission.SigningKeys;
import org.mailseal.testing.FakeDnsLookup;
import org.mailseal.testing.ScriptedSmtpPeer;

/**
 * DSNs over real sockets: the recipients' MX (example.org) is a scripted peer on 127.0.0.1 that
 * refuses bad@ with 550 and defers later@ with 451; the sender's MX (example.com) is another
 * scripted peer on 127.0.0.2, same port. (Not GreenMail: 2.1.5 answers {@code MAIL FROM:<>} with
 * 250 and then refuses every RCPT with 503, so it cannot take a DSN.) A DSN is signed by the
 * production {@link SignedSubmission} and must verify as the sender's MX received it.
 */
class DsnEndToEndTest {
  static final String MESSAGE =
      "From: Alice <alice@example.com>\r\nTo: good@example.org, bad@example.org\r\n"
          + "Subject: numbers for Q3\r\nMessage-ID: <q3@example.com>\r\n\r\nsee attached\r\n";

  @TempDir Path dir;
  final Clock clock = Clock.systemUTC();
  FileKeyStore keys;
  Spool spool;
  ScriptedSmtpPeer recipientsMx;
  ScriptedSmtpPeer sendersMx;
  DeliveryWorker worker;
  MxTransport mx;
  SigningKeys signing;

  @BeforeEach
  void start() throws Exception {
    keys = new FileKeyStore(dir.resolve("keys"), clock);
    KeyGenerator gen = new KeyGenerator(new SecureRandom());
    keys.add(
        "example.com",
        new Selector("s20261122e"),
        gen.generate(KeyAlgorithm.ED25519, 0).getPrivate(),
        KeyState.ACTIVE);
    keys.add(
        "example.com",
        new Selector("s20261122r"),
        PemKeys.readPrivateKey(Path.of("src/test/resources/keys/rsa2048-pkcs8.pem")),
        KeyState.ACTIVE);
    signing = new SigningKeys(keys, Set.of("example.com"), clock, 65536);
    signing.refresh();
    spool =
        Spool.open(
            dir.resolve("spool"), clock, SpoolOptions.defaults(new SecureRandom()).withoutFsync());

    recipientsMx = new ScriptedSmtpPeer(new ServerSocket(), InetAddress.getByName("127.0.0.1"), 0);
    recipientsMx.onRcpt(
        r ->
            r.startsWith("bad")
                ? "550 5.1.1 <" + r + ">: Recipient address rejected: User unknown"
                : r.startsWith("later") ? "451 4.3.0 try again later" : "250 2.1.5 ok");
    int port = recipientsMx.port();
    sendersMx = new ScriptedSmtpPeer(new ServerSocket(), InetAddress.getByName("127.0.0.2"), port);

    FakeDnsLookup dns =
        new FakeDnsLookup()
            .mx("example.org", 10, "mx.example.org")
            .a("mx.example.org", "127.0.0.1")
            .mx("example.com", 10, "mx.example.com")
            .a("mx.example.com", "127.0.0.2");
    mx =
        new MxTransport(
            new MxTransport.Settings(
                port,
                Optional.empty(),
                Optional.empty(),
                2,
                Duration.ofSeconds(10),
                "relay.example.com",
                ClientTls.unverified()),
            dns,
            new Random(1),
            clock);
    worker = newWorker();
  }

  DeliveryWorker newWorker() {
    return new DeliveryWorker(
        spool,
        mx,
        RetrySchedule.defaults(new Random(1)).withJitter(0),
        clock,
        new Bouncer(new SignedSubmission(signing, spool, false), "relay.example.com", clock));
  }

  @AfterEach
  void stop() throws Exception {
    sendersMx.close();
    recipientsMx.close();
    spool.close();
  }

  QueueId store(EnvelopeDraft draft) throws Exception {
    return spool.store(
        draft, new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The one DSN the sender's MX got, as it got it, after it verified. */
  String receivedDsnThatVerifies() throws Exception {
    assertThat(sendersMx.received).hasSize(1);
    ScriptedSmtpPeer.Received got = sendersMx.received.get(0);
    assertThat(got.from()).isEqualTo("<>");
    assertThat(got.to()).containsExactly("alice@example.com");
    byte[] raw = got.data().getBytes(StandardCharsets.UTF_8);
    DkimVerifier verifier =
        new DkimVerifier(
            (domain, selector) -> {
              try {
                return keys.find(domain, new Selector(selector))
                    .map(DkimKey::record)
                    .map(DkimKeyRecord::render)
                    .map(List::of)
                    .orElse(List.of());
              } catch (org.mailseal.keys.KeyStoreException e) {
                throw new IllegalStateException(e);
              }
            },
            clock);
    List<VerificationResult> results = verifier.verify(new ByteArrayInputStream(raw));
    assertThat(results).hasSize(2).allMatch(r -> r instanceof VerificationResult.Pass);
    return got.data();
  }

  void deliverUntilEmpty() {
    await("the spool to empty")
        .until(
            () -> {
              worker.runOnce(10);
              return spool.depth() == 0;
            });
  }

  @Test
  void aMixedMessageDeliversTheGoodRecipientOnceAndBouncesTheBadOneWithASignedDsn()
      throws Exception {
    QueueId id =
        store(
            EnvelopeDraft.submitted(
                "alice@example.com", List.of("good@example.org", "bad@example.org"), "alice"));
    worker.runOnce(10);

    assertThat(spool.entry(id)).isEmpty();
    List<SpoolEntry> queued = spool.list();
    assertThat(queued).hasSize(1);
    SpoolEntry dsn = queued.get(0);
    assertThat(dsn.bounce()).isTrue();
    assertThat(dsn.sender()).isEmpty();
    assertThat(dsn.recipients()).extracting(r -> r.address()).containsExactly("alice@example.com");

    deliverUntilEmpty();
    String text = receivedDsnThatVerifies();
    assertThat(text)
        .contains("From: Mail Delivery System <MAILER-DAEMON@example.com>")
        .contains("report-type=delivery-status")
        .contains("Final-Recipient: rfc822; bad@example.org")
        .contains("Action: failed")
        .contains("Status: 5.1.1")
        .contains("Diagnostic-Code: smtp; 550 5.1.1 <bad@example.org>: Recipient address rejected:")
        .contains("Subject: numbers for Q3")
        .doesNotContain("Final-Recipient: rfc822; good@example.org");
    assertThat(recipientsMx.received).hasSize(1);
    assertThat(recipientsMx.received.get(0).to()).containsExactly("good@example.org");
  }

  @Test
  void aFailedBounceGetsNoDsn() throws Exception {
    QueueId id = store(EnvelopeDraft.bounceTo("bad@example.org"));
    worker.runOnce(10);
    assertThat(spool.entry(id)).isEmpty();
    assertThat(spool.depth()).isZero();
    assertThat(sendersMx.received).isEmpty();
  }

  @Test
  void queueBounceOnARunningSpoolFailsThePendingRecipientAndSendsASignedDsn() throws Exception {
    QueueId id =
        store(
            EnvelopeDraft.submitted(
                "alice@example.com", List.of("good@example.org", "later@example.org"), "alice"));
    worker.runOnce(10);
    assertThat(spool.entry(id).orElseThrow().pending()).hasSize(1);

    CompletableFuture<SignVerifyCommandTest.Run> cli =
        CompletableFuture.supplyAsync(
            () ->
                run("queue", "bounce", "--spool-dir", dir.resolve("spool").toString(), id.value()));
    SignVerifyCommandTest.Run result =
        await("the command's answer")
            .until(
                () -> {
                  spool.applyControlRequests(); // what the running server does on its schedule
                  worker.runOnce(10);
                  return cli.getNow(null);
                },
                Objects::nonNull);
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "ok bounce "
                + id
                + ": 1 pending recipient(s) fail on the next delivery pass, DSN to"
                + " <alice@example.com>\n");
    deliverUntilEmpty();
    String text = receivedDsnThatVerifies();
    assertThat(text)
        .contains("Final-Recipient: rfc822; later@example.org")
        .contains("Status: 5.0.0")
        .contains("bounced by the operator (queue bounce); last reply: 451 4.3.0")
        .doesNotContain("Final-Recipient: rfc822; good@example.org");
    assertThat(recipientsMx.received).hasSize(1);
  }

  @Test
  void queueBounceWithoutAServerSignsAndQueuesTheDsnItself() throws Exception {
    QueueId id =
        store(EnvelopeDraft.submitted("alice@example.com", List.of("later@example.org"), "alice"));
    spool.close(); // no server holds the spool now
    Path config = dir.resolve("mailseal.yaml");
    java.nio.file.Files.writeString(
        config,
        "server:\n  hostname: relay.example.com\n"
            + "keys:\n  directory: "
            + dir.resolve("keys")
            + "\nspool:\n  directory: "
            + dir.resolve("spool")
            + "\ndomains:\n  example.com: {}\n");
    SignVerifyCommandTest.Run r = run("queue", "bounce", "--config", config.toString(), id.value());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "ok bounced " + id + ": 1 recipient(s) failed, DSN queued to <alice@example.com>\n");
    spool =
        Spool.open(
            dir.resolve("spool"), clock, SpoolOptions.defaults(new SecureRandom()).withoutFsync());
    assertThat(spool.entry(id)).isEmpty();
    assertThat(spool.list()).hasSize(1).allMatch(SpoolEntry::bounce);
    worker = newWorker();
    deliverUntilEmpty(); // the server's next pass: the DSN goes to the sender's MX
    assertThat(receivedDsnThatVerifies())
        .contains("Final-Recipient: rfc822; later@example.org")
        .contains("Action: failed");
  }

  @Test
  void aDelayWarningIsSignedAndSentOnce() throws Exception {
    org.mailseal.testing.MutableClock now = new org.mailseal.testing.MutableClock(clock.instant());
    DeliveryWorker w =
        new DeliveryWorker(
            spool,
            mx,
            RetrySchedule.defaults(new Random(1))
                .withJitter(0)
                .withDelayWarning(Duration.ofMinutes(30)),
            now,
            new Bouncer(new SignedSubmission(signing, spool, false), "relay.example.com", clock));
    QueueId id =
        store(EnvelopeDraft.submitted("alice@example.com", List.of("later@example.org"), "alice"));
    w.runOnce(10);
    assertThat(spool.depth()).isEqualTo(1);
    for (int i = 0; i < 4; i++) {
      now.advance(Duration.ofMinutes(31));
      w.runOnce(10); // the original is deferred again; a DSN queued meanwhile is delivered
      w.runOnce(10);
    }
    assertThat(spool.entry(id).orElseThrow().delayWarned()).isTrue();
    assertThat(spool.depth()).isEqualTo(1); // only the original is left
    String text = receivedDsnThatVerifies(); // exactly one
    assertThat(text)
        .contains("Subject: Delayed Mail (still being retried)")
        .contains("Final-Recipient: rfc822; later@example.org")
        .contains("Action: delayed")
        .contains("Status: 4.3.0")
        .contains("Will-Retry-Until: ");
  }
}
