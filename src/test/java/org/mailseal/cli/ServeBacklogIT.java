// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;

/**
 * A restart on a large backlog: queued messages worth 100 MB on disk are delivered by the real
 * server in a 64 MB heap, so holding them would fail outright; progress is logged.
 *
 * <p>The file route fsyncs six times per delivered message, one message at a time (about 30 per
 * second on this shared machine's disk), so the default is 2,000 messages of 50 KB. Issue 5's
 * 10,000: {@code mvn -B verify -Dit.test=ServeBacklogIT -Dbacklog.entries=10000
 * -Dbacklog.bytes=10240 -Dbacklog.minutes=15}.
 */
// Each starts the packaged jar as a process, more than once: minutes on a loaded machine.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServeBacklogIT {
  private static final int ENTRIES = Integer.getInteger("backlog.entries", 2_000);
  private static final int MESSAGE_BYTES = Integer.getInteger("backlog.bytes", 50 * 1024);
  private static final Duration DEADLINE =
      Duration.ofMinutes(Integer.getInteger("backlog.minutes", 5));

  @TempDir Path dir;

  @Test
  void queuedBacklogIsDeliveredAfterRestartInASmallHeap() throws Exception {
    try (ServeProcess serve =
        new ServeProcess(dir, "", List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"))) {
      byte[] body = body();
      // fsync off only to build the backlog quickly: the files are the same.
      try (Spool spool =
          Spool.open(
              serve.spool(),
              Clock.systemUTC(),
              SpoolOptions.defaults(new SecureRandom()).withoutFsync())) {
        for (int i = 0; i < ENTRIES; i++) {
          int n = i;
          spool.store(
              EnvelopeDraft.submitted(ServeProcess.USER, List.of("b@example.net"), "bench"),
              out -> {
                out.write(head(n));
                out.write(body);
              });
        }
        assertThat(spool.depth()).isEqualTo(ENTRIES);
      }

      long start = System.nanoTime();
      serve.start("MAILSEAL_LOG_LEVEL", "INFO");
      ServeProcess.waitFor(
          "the backlog in the outbox",
          DEADLINE,
          () -> {
            assertThat(serve.alive()).as("server died: %s", tail(serve.log())).isTrue();
            return emlCount(serve.outbox()) >= ENTRIES;
          });
      System.out.printf(
          "ServeBacklogIT delivered=%d seconds=%.1f%n", ENTRIES, (System.nanoTime() - start) / 1e9);
      ServeProcess.waitFor(
          "the drained line",
          Duration.ofSeconds(30),
          () -> read(serve).contains("backlog drained"));
      assertThat(read(serve)).contains("backlog at start queued=" + ENTRIES);
      assertThat(read(serve)).contains("backlog drained delivered=" + ENTRIES);
      assertThat(serve.outboxMessageIds()).doesNotHaveDuplicates().hasSize(ENTRIES);
      serve.terminate();
      assertThat(serve.exitWithin(Duration.ofSeconds(40))).contains(0);
    }
  }

  private static String read(ServeProcess serve) {
    return ServeProcess.read(serve.log());
  }

  private static String tail(Path log) {
    String s = ServeProcess.read(log);
    return s.substring(Math.max(0, s.length() - 2000));
  }

  private static long emlCount(Path outbox) {
    if (!Files.isDirectory(outbox)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(outbox)) {
      return s.filter(p -> p.toString().endsWith(".eml")).count();
    } catch (IOException e) {
      return 0;
    }
  }

  private static byte[] head(int n) {
    return ("From: <"
            + ServeProcess.USER
            + ">\r\nTo: <b@example.net>\r\nSubject: backlog "
            + n
            + "\r\nMessage-ID: <backlog."
            + n
            + "@example.com>\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] body() {
    StringBuilder sb = new StringBuilder(MESSAGE_BYTES + 80);
    while (sb.length() < MESSAGE_BYTES) {
      sb.append("a line of the queued message, long enough to look like prose in a mail\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
