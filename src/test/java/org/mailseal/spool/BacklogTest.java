// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.MutableClock;

class BacklogTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final int ENTRIES = 10_000;
  private static final int MESSAGE_BYTES = 10 * 1024;

  @TempDir Path dir;

  /** Memory is what this test is about: fsync off keeps it fast without changing the files. */
  private static SpoolOptions options() {
    return SpoolOptions.defaults(new SecureRandom()).withoutFsync();
  }

  @Test
  void reopenedBacklogIsPagedThroughWithoutHoldingMessageBytes() throws Exception {
    MutableClock clock = new MutableClock(T0);
    try (Spool spool = Spool.open(dir, clock, options())) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          futures.add(
              pool.submit(
                  () -> {
                    byte[] m = new byte[MESSAGE_BYTES];
                    for (int i = 0; i < ENTRIES / 4; i++) {
                      spool.store(Messages.draft("bob@example.net"), out -> out.write(m));
                    }
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    long before = usedHeapAfterGc();

    try (Spool spool = Spool.open(dir, clock, options())) {
      long after = usedHeapAfterGc();
      long messageBytes = (long) ENTRIES * MESSAGE_BYTES; // about 100 MB on disk
      // The index keeps an envelope summary (some hundred bytes) per entry; a tenth of the
      // message bytes is a generous ceiling that holding the bytes would blow through tenfold.
      assertThat(after - before).isLessThan(messageBytes / 10);

      assertThat(spool.depth()).isEqualTo(ENTRIES);
      Set<QueueId> seen = new HashSet<>();
      List<QueueId> page = spool.due(clock.instant(), 1000);
      QueueId previous = null;
      while (!page.isEmpty()) {
        assertThat(page).isSorted();
        if (previous != null) {
          assertThat(page.get(0)).isGreaterThan(previous);
        }
        seen.addAll(page);
        previous = page.get(page.size() - 1);
        page = spool.due(clock.instant(), previous, 1000);
      }
      assertThat(seen).hasSize(ENTRIES);
      assertThat(spool.due(clock.instant().minus(Duration.ofSeconds(1)), 10)).isEmpty();
    }
  }

  @Test
  void twentyMegabyteMessageStreamsInAndOutIntact() throws Exception {
    long size = 20L * 1024 * 1024;
    MessageDigest written = MessageDigest.getInstance("SHA-256");
    QueueId id;
    try (Spool spool =
        Spool.open(dir, new MutableClock(T0), SpoolOptions.defaults(new SecureRandom()))) {
      id = spool.store(Messages.draft("bob@example.net"), out -> generate(out, size, written));
      assertThat(spool.entry(id).orElseThrow().size()).isEqualTo(size);
    }
    try (Spool spool = Spool.open(dir, new MutableClock(T0), options());
        InputStream in = spool.open(id)) {
      assertThat(Messages.sha256(in)).isEqualTo(written.digest());
    }
  }

  /** Writes {@code size} pseudo-random message-like bytes in 8 KB chunks, hashing them. */
  private static void generate(OutputStream out, long size, MessageDigest digest)
      throws IOException {
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    byte[] chunk = new byte[8192];
    for (long done = 0; done < size; done += chunk.length) {
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (byte) (i % 78 == 77 ? '\n' : 'A' + random.nextInt(26));
      }
      out.write(chunk);
      digest.update(chunk);
    }
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
