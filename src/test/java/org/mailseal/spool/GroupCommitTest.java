// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.MutableClock;

class GroupCommitTest {
  private static final int THREADS = 50;

  @TempDir Path dir;

  @Test
  void concurrentStoresShareDirectorySyncsAndAllSurviveReopen() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    CountingSyncer syncer = new CountingSyncer(Syncer.real());
    AtomicReference<Spool> opened = new AtomicReference<>();
    // Hold the first batch's directory sync until every other store has queued behind it, so
    // the test does not depend on thread timing: the first batch + queued commits = all.
    syncer.holdFirstDirectorySyncUntil(() -> opened.get().pendingCommits() == THREADS);
    Spool spool =
        Spool.open(dir, clock, SpoolOptions.defaults(new SecureRandom()).withSyncer(syncer));
    opened.set(spool);

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<QueueId> ids = new ArrayList<>();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<QueueId>> futures = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        byte[] message = Messages.numbered(i);
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return spool.store(Messages.draft("bob@example.net"), out -> out.write(message));
                }));
      }
      start.countDown();
      for (Future<QueueId> f : futures) {
        ids.add(f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
      spool.close();
    }

    assertThat(ids).doesNotHaveDuplicates().hasSize(THREADS);
    // One file per message: one file sync per store.
    assertThat(syncer.fileSyncs.get()).isEqualTo(THREADS);
    assertThat(syncer.directorySyncs.get()).isLessThan(THREADS).isEqualTo(2);
    try (Spool again = Spool.open(dir, clock, SpoolOptions.defaults(new SecureRandom()))) {
      assertThat(again.depth()).isEqualTo(THREADS);
      for (int i = 0; i < THREADS; i++) {
        try (InputStream in = again.open(ids.get(i))) {
          assertThat(in.readAllBytes()).isEqualTo(Messages.numbered(i));
        }
      }
    }
  }
}
