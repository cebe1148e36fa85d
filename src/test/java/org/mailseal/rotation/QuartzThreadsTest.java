// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailseal.testing.Waits.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The job threads Quartz runs rotation on: bounded, waited for on a stop, refused after it. */
@Timeout(30)
class QuartzThreadsTest {
  private static QuartzThreads pool(int threads) {
    QuartzThreads p = new QuartzThreads();
    p.setThreadCount(threads);
    p.initialize();
    return p;
  }

  @Test
  void aStopThatWaitsForJobsReturnsOnlyOnceTheRunningJobHasFinished() throws Exception {
    QuartzThreads pool = pool(2);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    assertThat(
            pool.runInThread(
                () -> {
                  started.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  finished.set(true);
                }))
        .isTrue();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stop = CompletableFuture.runAsync(() -> pool.shutdown(true));
    // Once the pool refuses new jobs, the stop is under way: it must still be waiting.
    await("the stop to begin")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !pool.runInThread(() -> {}));
    assertThat(stop).isNotDone();
    assertThat(finished).isFalse();
    release.countDown();
    stop.get(10, TimeUnit.SECONDS);
    assertThat(finished).isTrue();
  }

  @Test
  void aStoppedPoolRefusesNewJobs() {
    QuartzThreads pool = pool(1);
    pool.shutdown(true);
    assertThat(pool.runInThread(() -> {})).isFalse();
  }

  @Test
  void theSchedulerWaitsForAFreeThreadWhileEveryThreadIsBusy() throws Exception {
    QuartzThreads pool = pool(1);
    CountDownLatch release = new CountDownLatch(1);
    pool.runInThread(
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    CompletableFuture<Integer> free = CompletableFuture.supplyAsync(pool::blockForAvailableThreads);
    assertThat(free).isNotDone();
    release.countDown();
    assertThat(free.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    await("the thread to be free again")
        .atMost(Duration.ofSeconds(10))
        .until(() -> pool.blockForAvailableThreads() == 1);
    pool.shutdown(true);
  }
}
