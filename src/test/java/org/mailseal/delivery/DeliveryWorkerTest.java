// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.RecipientState;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.MutableClock;

class DeliveryWorkerTest {
  private static final byte[] MESSAGE =
      "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=s; b=x\r\nFrom: a@example.com\r\n\r\nhi\r\n"
          .getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
  private Spool spool;
  private final RecordingSubmission dsns = new RecordingSubmission();
  private final Bouncer bouncer = new Bouncer(dsns, "relay.example.com", clock);

  @BeforeEach
  void open() throws Exception {
    spool = Spool.open(dir.resolve("spool"), clock, SpoolOptions.defaults(new SecureRandom()));
  }

  @AfterEach
  void close() {
    spool.close();
  }

  private QueueId store(String... recipients) throws Exception {
    return spool.store(
        EnvelopeDraft.submitted("a@example.com", List.of(recipients), "alice@example.com"),
        new ByteArrayInputStream(MESSAGE));
  }

  private RetrySchedule retry() {
    return RetrySchedule.defaults(new Random(1)).withJitter(0);
  }

  @Test
  void fileTransportWritesTheSignedBytesAndTheEnvelopeThenTheSpoolForgetsThem() throws Exception {
    QueueId id = store("b@example.net", "c@example.net");
    Path outbox = dir.resolve("outbox");
    DeliveryWorker worker =
        new DeliveryWorker(spool, new FileTransport(outbox), retry(), clock, bouncer);
    assertThat(worker.runOnce(10)).isEqualTo(1);
    assertThat(Files.readAllBytes(outbox.resolve(id.value() + ".eml"))).isEqualTo(MESSAGE);
    assertThat(Files.readString(outbox.resolve(id.value() + ".envelope")))
        .isEqualTo("MAIL FROM:<a@example.com>\nRCPT TO:<b@example.net>\nRCPT TO:<c@example.net>\n");
    assertThat(spool.entry(id)).isEmpty();
    assertThat(worker.runOnce(10)).isZero();
  }

  @Test
  void deferredRecipientIsRetriedOnScheduleAndDeliveredOnesAreNotSentAgain() throws Exception {
    QueueId id = store("ok@example.net", "later@example.net", "never@example.net");
    List<List<String>> calls = new ArrayList<>();
    Transport scripted =
        (entry, recipients, message) -> {
          calls.add(List.copyOf(recipients));
          Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
          for (String r : recipients) {
            out.put(
                r,
                r.startsWith("ok") || calls.size() > 1
                    ? r.startsWith("never")
                        ? new DeliveryOutcome.Bounced("550 5.1.1 no such user")
                        : new DeliveryOutcome.Delivered("250 2.0.0 ok")
                    : r.startsWith("never")
                        ? new DeliveryOutcome.Bounced("550 5.1.1 no such user")
                        : new DeliveryOutcome.Deferred("451 4.3.0 try later"));
          }
          return out;
        };
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    DeliveryWorker worker =
        new DeliveryWorker(
            spool,
            scripted,
            retry(),
            clock,
            bouncer,
            new org.mailseal.metrics.RelayMetrics(registry));
    worker.runOnce(10);
    assertThat(registry.get("mailseal.recipients.delivered").counter().count()).isEqualTo(1);
    assertThat(registry.get("mailseal.recipients.deferred").counter().count()).isEqualTo(1);
    assertThat(registry.get("mailseal.recipients.bounced").counter().count()).isEqualTo(1);
    assertThat(spool.entry(id).orElseThrow().recipients())
        .extracting(r -> r.address() + "=" + r.state())
        .containsExactly(
            "ok@example.net=DELIVERED", "later@example.net=PENDING", "never@example.net=FAILED");
    assertThat(spool.entry(id).orElseThrow().nextAttempt())
        .isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));

    assertThat(worker.runOnce(10)).isZero(); // not due yet
    clock.set(clock.instant().plus(Duration.ofMinutes(1)));
    worker.runOnce(10);
    assertThat(calls)
        .containsExactly(
            List.of("ok@example.net", "later@example.net", "never@example.net"),
            List.of("later@example.net"));
    assertThat(spool.entry(id)).isEmpty();
  }

  @Test
  void aMessageTooOldFailsItsRemainingRecipients() throws Exception {
    QueueId id = store("b@example.net");
    Transport down =
        (entry, recipients, message) -> {
          Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
          recipients.forEach(r -> out.put(r, new DeliveryOutcome.Deferred("connection refused")));
          return out;
        };
    DeliveryWorker worker = new DeliveryWorker(spool, down, retry(), clock, bouncer);
    worker.runOnce(10);
    assertThat(spool.entry(id).orElseThrow().recipients().get(0).state())
        .isEqualTo(RecipientState.PENDING);
    clock.set(clock.instant().plus(Duration.ofDays(6)));
    worker.runOnce(10);
    assertThat(spool.entry(id)).isEmpty();
  }
}
