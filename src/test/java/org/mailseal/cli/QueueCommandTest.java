// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.cli.SignVerifyCommandTest.run;
import static org.mailseal.testing.Waits.await;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;

class QueueCommandTest {
  @TempDir Path dir;

  private QueueId store(Spool spool, String rcpt) throws Exception {
    return spool.store(
        EnvelopeDraft.submitted("a@example.com", List.of(rcpt), "alice@example.com"),
        new ByteArrayInputStream("From: a@example.com\r\n\r\nhi\r\n".getBytes()));
  }

  @Test
  void listShowRetryAndDeleteWithoutAServer() throws Exception {
    Path spoolDir = dir.resolve("spool");
    QueueId one;
    QueueId two;
    try (Spool spool =
        Spool.open(spoolDir, Clock.systemUTC(), SpoolOptions.defaults(new SecureRandom()))) {
      one = store(spool, "b@example.net");
      two = store(spool, "c@example.net");
      spool.reschedule(two, Instant.now().plus(Duration.ofHours(1)));
    }
    SignVerifyCommandTest.Run list = run("queue", "list", "--spool-dir", spoolDir.toString());
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out())
        .contains(one.value())
        .contains(two.value())
        .contains("<a@example.com> -> b@example.net")
        .endsWith("2 messages\n");
    assertThat(run("queue", "show", "--spool-dir", spoolDir.toString(), one.value()).out())
        .contains("recipient: <b@example.net> PENDING")
        .contains("user:      alice@example.com");
    SignVerifyCommandTest.Run retry =
        run("queue", "retry", "--spool-dir", spoolDir.toString(), "--all");
    assertThat(retry.code()).as(retry.err()).isZero();
    SignVerifyCommandTest.Run delete =
        run("queue", "delete", "--spool-dir", spoolDir.toString(), one.value());
    assertThat(delete.code()).as(delete.err()).isZero();
    assertThat(run("queue", "list", "--spool-dir", spoolDir.toString()).out())
        .doesNotContain(one.value())
        .endsWith("1 message\n");
    SignVerifyCommandTest.Run bad =
        run("queue", "show", "--spool-dir", spoolDir.toString(), "nope");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).isEqualTo("mailseal: not a queue id: nope\n");
  }

  @Test
  void deleteWhileTheServerHoldsTheSpoolGoesThroughTheControlDirectory() throws Exception {
    Path spoolDir = dir.resolve("spool");
    try (Spool server =
        Spool.open(spoolDir, Clock.systemUTC(), SpoolOptions.defaults(new SecureRandom()))) {
      QueueId id = store(server, "b@example.net");
      CompletableFuture<SignVerifyCommandTest.Run> cli =
          CompletableFuture.supplyAsync(
              () -> run("queue", "delete", "--spool-dir", spoolDir.toString(), id.value()));
      SignVerifyCommandTest.Run result =
          await("the command's answer")
              .until(
                  () -> {
                    server.applyControlRequests(); // what the running server does on its schedule
                    return cli.getNow(null);
                  },
                  Objects::nonNull);
      assertThat(result.code()).as(result.err()).isZero();
      assertThat(server.entry(id)).isEmpty();
    }
  }

  @Test
  void retryAllWaitsForTheRunningServerAndShowsProgress() throws Exception {
    Path spoolDir = dir.resolve("spool");
    try (Spool server =
        Spool.open(spoolDir, Clock.systemUTC(), SpoolOptions.defaults(new SecureRandom()))) {
      QueueId gone = store(server, "b@example.net");
      QueueId again = store(server, "c@example.net");
      CompletableFuture<SignVerifyCommandTest.Run> cli =
          CompletableFuture.supplyAsync(
              () ->
                  run(
                      "queue",
                      "retry",
                      "--spool-dir",
                      spoolDir.toString(),
                      "--all",
                      "--wait",
                      "20s"));
      AtomicBoolean delivered = new AtomicBoolean();
      SignVerifyCommandTest.Run result =
          await("the command's answer")
              .until(
                  () -> {
                    // What the running server does: apply the request, then one delivery pass in
                    // which the first message leaves the queue and the second is deferred.
                    if (server.applyControlRequests() > 0 && !delivered.getAndSet(true)) {
                      server.remove(gone);
                      server.recordAttempt(
                          again,
                          List.of(
                              server
                                  .entry(again)
                                  .orElseThrow()
                                  .recipients()
                                  .get(0)
                                  .deferred("451 later")),
                          Instant.now().plus(Duration.ofMinutes(5)));
                    }
                    return cli.getNow(null);
                  },
                  Objects::nonNull);
      assertThat(result.err())
          .endsWith("retry: 2 of 2 tried (1 left the queue, 1 deferred again)\n");
      assertThat(result.code()).as("a message is still queued").isEqualTo(1);
    }
  }
}
