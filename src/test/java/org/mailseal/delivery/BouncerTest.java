// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.testing.Waits.await;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.spool.ControlRequest;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.RecipientState;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.MutableClock;

/** DSNs from the delivery worker: what they say, to whom, and when there is none. */
class BouncerTest {
  static final byte[] MESSAGE =
      ("DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=s; b=x\r\n"
              + "From: a@example.com\r\nSubject: quarterly report\r\n\r\nhi\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
  final RecordingSubmission dsns = new RecordingSubmission();
  final List<List<String>> calls = new CopyOnWriteArrayList<>();
  Spool spool;

  @BeforeEach
  void open() throws Exception {
    spool = Spool.open(dir.resolve("spool"), clock, SpoolOptions.defaults(new SecureRandom()));
  }

  @AfterEach
  void close() {
    spool.close();
  }

  /** Answers each recipient by {@code reply}: 2xx delivered, 4xx deferred, 5xx bounced. */
  Transport scripted(Function<String, String> reply) {
    return (entry, recipients, message) -> {
      calls.add(List.copyOf(recipients));
      Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
      for (String r : recipients) {
        String x = reply.apply(r);
        out.put(
            r,
            x.startsWith("2")
                ? new DeliveryOutcome.Delivered(x)
                : x.startsWith("4")
                    ? new DeliveryOutcome.Deferred(x)
                    : new DeliveryOutcome.Bounced(x));
      }
      return out;
    };
  }

  static String byName(String r) {
    return r.startsWith("bad")
        ? "550 5.1.1 <" + r + ">: no such user"
        : r.startsWith("later") ? "451 4.3.0 try later" : "250 2.0.0 ok";
  }

  RetrySchedule retry() {
    return RetrySchedule.defaults(new Random(1)).withJitter(0);
  }

  DeliveryWorker worker(Transport t, RetrySchedule retry) {
    return new DeliveryWorker(
        spool, t, retry, clock, new Bouncer(dsns, "relay.example.com", clock));
  }

  QueueId store(EnvelopeDraft draft) throws Exception {
    return spool.store(draft, new ByteArrayInputStream(MESSAGE));
  }

  QueueId store(String... rcpts) throws Exception {
    return store(EnvelopeDraft.submitted("a@example.com", List.of(rcpts), "alice"));
  }

  static MimeMessage parse(String text) throws Exception {
    return new MimeMessage(
        Session.getInstance(new Properties()),
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void recipientsRefusedForGoodGetOneDsnToTheSenderNamingOnlyThem() throws Exception {
    QueueId id = store("ok@example.net", "bad1@example.net", "later@example.net", "bad2@x.org");
    worker(scripted(BouncerTest::byName), retry()).runOnce(10);

    assertThat(dsns.submitted).hasSize(1);
    RecordingSubmission.Submitted dsn = dsns.submitted.get(0);
    assertThat(dsn.envelope()).isEqualTo(EnvelopeDraft.bounceTo("a@example.com"));
    MimeMessage m = parse(dsn.text());
    assertThat(m.getHeader("From")[0])
        .isEqualTo("Mail Delivery System <MAILER-DAEMON@example.com>");
    assertThat(m.getHeader("To")[0]).isEqualTo("a@example.com");
    assertThat(m.getHeader("Auto-Submitted")[0]).isEqualTo("auto-replied");
    assertThat(m.getHeader("Date")[0]).isEqualTo("Sun, 22 Nov 2026 10:00:00 +0000");
    assertThat(m.getContentType())
        .startsWith("multipart/report")
        .contains("report-type=delivery-status");
    MimeMultipart parts = (MimeMultipart) m.getContent();
    assertThat(parts.getCount()).isEqualTo(3);
    assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
    assertThat((String) parts.getBodyPart(0).getContent())
        .contains("<bad1@example.net>: 550 5.1.1")
        .doesNotContain("ok@example.net")
        .doesNotContain("later@example.net");
    assertThat(parts.getBodyPart(1).getContentType()).isEqualTo("message/delivery-status");
    String status =
        new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(status)
        .isEqualTo(
            "Reporting-MTA: dns; relay.example.com\r\n"
                + "X-Mailseal-Queue-ID: "
                + id
                + "\r\n"
                + "Arrival-Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
                + "\r\n"
                + "Final-Recipient: rfc822; bad1@example.net\r\n"
                + "Action: failed\r\n"
                + "Status: 5.1.1\r\n"
                + "Diagnostic-Code: smtp; 550 5.1.1 <bad1@example.net>: no such user\r\n"
                + "Last-Attempt-Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
                + "\r\n"
                + "Final-Recipient: rfc822; bad2@x.org\r\n"
                + "Action: failed\r\n"
                + "Status: 5.1.1\r\n"
                + "Diagnostic-Code: smtp; 550 5.1.1 <bad2@x.org>: no such user\r\n"
                + "Last-Attempt-Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n");
    assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
    assertThat(
            new String(
                parts.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo(
            "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=s; b=x\r\n"
                + "From: a@example.com\r\nSubject: quarterly report\r\n");

    assertThat(spool.entry(id).orElseThrow().recipients())
        .extracting(r -> r.address() + "=" + r.state())
        .containsExactly(
            "ok@example.net=DELIVERED",
            "bad1@example.net=FAILED",
            "later@example.net=PENDING",
            "bad2@x.org=FAILED");
  }

  @Test
  void theDeliveredRecipientIsNotSentAgainAndTheDsnIsNotRepeated() throws Exception {
    QueueId id = store("ok@example.net", "later@example.net", "bad@example.net");
    DeliveryWorker w = worker(scripted(BouncerTest::byName), retry());
    w.runOnce(10);
    clock.advance(Duration.ofMinutes(2));
    w.runOnce(10);
    assertThat(calls)
        .containsExactly(
            List.of("ok@example.net", "later@example.net", "bad@example.net"),
            List.of("later@example.net"));
    assertThat(dsns.submitted).hasSize(1);
    assertThat(spool.entry(id)).isPresent();
  }

  @Test
  void aBounceThatFailsIsDroppedWithoutADsn() throws Exception {
    QueueId id = store(EnvelopeDraft.bounceTo("bad@example.net"));
    worker(scripted(BouncerTest::byName), retry()).runOnce(10);
    assertThat(dsns.submitted).isEmpty();
    assertThat(spool.entry(id)).isEmpty();
  }

  @Test
  void recipientsStillDeferredAtMaxAgeFailWithDeliveryTimeExpired() throws Exception {
    store("later@example.net");
    DeliveryWorker w = worker(scripted(BouncerTest::byName), retry());
    w.runOnce(10);
    clock.advance(Duration.ofDays(6));
    w.runOnce(10);
    assertThat(dsns.submitted).hasSize(1);
    assertThat(dsns.submitted.get(0).text())
        .contains("Final-Recipient: rfc822; later@example.net")
        .contains("Action: failed")
        .contains("Status: 4.4.7")
        .contains("Diagnostic-Code: smtp; 451 4.3.0 try later");
    assertThat(spool.depth()).isZero();
  }

  @Test
  void aDelayWarningIsSentOnceEvenAcrossARestart() throws Exception {
    QueueId id = store("later@example.net", "ok@example.net");
    RetrySchedule warning = retry().withDelayWarning(Duration.ofMinutes(30));
    Transport t = scripted(BouncerTest::byName);
    worker(t, warning).runOnce(10);
    assertThat(dsns.submitted).isEmpty();

    clock.advance(Duration.ofMinutes(31));
    worker(t, warning).runOnce(10);
    assertThat(dsns.submitted).hasSize(1);
    String text = dsns.submitted.get(0).text();
    assertThat(text)
        .contains("Subject: Delayed Mail (still being retried)")
        .contains("Final-Recipient: rfc822; later@example.net")
        .contains("Action: delayed")
        .contains("Status: 4.3.0")
        .contains("Will-Retry-Until: Fri, 27 Nov 2026 10:00:00 +0000")
        .doesNotContain("ok@example.net");
    assertThat(spool.entry(id).orElseThrow().delayWarned()).isTrue();

    clock.advance(Duration.ofHours(1));
    worker(t, warning).runOnce(10);
    spool.close();
    spool = Spool.open(dir.resolve("spool"), clock, SpoolOptions.defaults(new SecureRandom()));
    clock.advance(Duration.ofHours(2));
    assertThat(worker(t, warning).runOnce(10)).isEqualTo(1);
    assertThat(dsns.submitted).hasSize(1);
  }

  @Test
  void aDsnThatCannotBeStoredKeepsTheRecipientPendingUntilItCanBe() throws Exception {
    QueueId id = store("bad@example.net");
    DeliveryWorker w = worker(scripted(BouncerTest::byName), retry());
    dsns.refuse = true;
    w.runOnce(10);
    assertThat(spool.entry(id).orElseThrow().recipients().get(0).state())
        .isEqualTo(RecipientState.PENDING);
    dsns.refuse = false;
    clock.advance(Duration.ofMinutes(2));
    w.runOnce(10);
    assertThat(dsns.submitted).hasSize(1);
    assertThat(spool.entry(id)).isEmpty();
  }

  @Test
  void anOperatorBounceFailsThePendingRecipientsWithoutAnAttempt() throws Exception {
    QueueId id = store("ok@example.net", "later1@example.net", "later2@example.net");
    DeliveryWorker w = worker(scripted(BouncerTest::byName), retry());
    w.runOnce(10);
    assertThat(new ControlRequest.Bounce(id).applyTo(spool))
        .isEqualTo(
            "ok bounce "
                + id
                + ": 2 pending recipient(s) fail on the next delivery pass, DSN to"
                + " <a@example.com>");
    assertThat(w.runOnce(10)).isEqualTo(1);
    assertThat(calls).hasSize(1);
    assertThat(dsns.submitted).hasSize(1);
    assertThat(dsns.submitted.get(0).text())
        .contains("Final-Recipient: rfc822; later1@example.net")
        .contains("Final-Recipient: rfc822; later2@example.net")
        .contains("Status: 5.0.0")
        .contains("bounced by the operator (queue bounce); last reply: 451 4.3.0 try later")
        .doesNotContain("Final-Recipient: rfc822; ok@example.net");
    assertThat(spool.entry(id)).isEmpty();
  }

  @Test
  void severalThreadsNeverAttemptOneMessageAtTheSameTime() throws Exception {
    List<QueueId> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(store("ok" + i + "@example.net"));
    }
    Set<String> inProgress = ConcurrentHashMap.newKeySet();
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    List<String> overlaps = new CopyOnWriteArrayList<>();
    Transport t =
        (entry, recipients, message) -> {
          String id = entry.id().value();
          if (!inProgress.add(id)) {
            overlaps.add(id);
          }
          attempts.merge(id, 1, Integer::sum);
          Thread.yield();
          inProgress.remove(id);
          Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
          recipients.forEach(r -> out.put(r, new DeliveryOutcome.Delivered("250 ok")));
          return out;
        };
    DeliveryWorker w = worker(t, retry());
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    for (int i = 0; i < 4; i++) {
      Thread th =
          new Thread(
              () -> {
                try {
                  while (!stop.get() && spool.depth() > 0) {
                    w.runOnce(100);
                  }
                } catch (Throwable e) {
                  errors.add(e);
                }
              });
      threads.add(th);
      th.start();
    }
    try {
      await("four threads to empty the spool")
          .until(() -> threads.stream().noneMatch(Thread::isAlive));
    } finally {
      stop.set(true);
      for (Thread th : threads) {
        th.join();
      }
    }
    assertThat(errors).isEmpty();
    assertThat(overlaps).isEmpty();
    assertThat(spool.depth()).isZero();
    assertThat(attempts).hasSize(40).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
  }

  @Test
  void anOperatorBounceArrivingDuringAnAttemptIsDoneRightAfterIt() throws Exception {
    QueueId id = store("ok@example.net", "later@example.net");
    Transport t =
        (entry, recipients, message) -> {
          try {
            spool.requestBounce(entry.id()); // the control thread, while we talk to the MX
          } catch (org.mailseal.spool.SpoolException e) {
            throw new IllegalStateException(e);
          }
          return scripted(BouncerTest::byName).deliver(entry, recipients, message);
        };
    worker(t, retry()).runOnce(10);
    assertThat(spool.entry(id)).isEmpty();
    assertThat(dsns.submitted).hasSize(1);
    assertThat(dsns.submitted.get(0).text())
        .contains("Final-Recipient: rfc822; later@example.net")
        .doesNotContain("Final-Recipient: rfc822; ok@example.net");
  }
}
