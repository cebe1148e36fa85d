// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mailseal.spool.SpoolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run a {@link DeliveryWorker}: each takes due messages the others are not
 * attempting. A stored message wakes one idle thread ({@link #wake()}, which the relay hands to
 * {@code Spool.whenStored}); retries that fall due are found by a poll every {@link #POLL}.
 *
 * <p>Call order: {@link #start()} once, then {@link #stop(Duration)} once.
 */
public final class DeliveryThreads {
  private static final Logger log = LoggerFactory.getLogger(DeliveryThreads.class);

  /** How often an idle thread looks for retries that fell due. */
  static final Duration POLL = Duration.ofMillis(500);

  /** Messages one pass takes at most before {@code afterPass} runs again. */
  private static final int BATCH = 100;

  private final DeliveryWorker worker;
  private final int threads;
  private final Runnable afterPass;
  private final ExecutorService executor;

  /** Permits for idle threads: released when a message is stored. */
  private final Semaphore work = new Semaphore(0);

  private volatile boolean stopped;

  /**
   * @param afterPass runs after each batch a thread delivered (the relay logs backlog progress)
   */
  public DeliveryThreads(DeliveryWorker worker, int threads, Runnable afterPass) {
    if (threads < 1) {
      throw new IllegalArgumentException("DeliveryThreads: threads must be at least 1");
    }
    this.worker = worker;
    this.threads = threads;
    this.afterPass = afterPass;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "mailseal-delivery-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  public void start() {
    for (int i = 0; i < threads; i++) {
      executor.execute(this::loop);
    }
  }

  /** A message was stored: wake one idle thread. */
  public void wake() {
    // One permit per idle thread is enough; more would only make busy threads poll again.
    if (work.availablePermits() < threads) {
      work.release();
    }
  }

  /**
   * Many messages became due at once (an upstream is back, {@link Upstreams#whenRecovered}): wake
   * every idle thread, so that they are tried side by side up to the smarthost's pool size.
   */
  public void wakeAll() {
    int idle = threads - work.availablePermits();
    if (idle > 0) {
      work.release(idle);
    }
  }

  /** Lets running attempts finish within {@code grace}, then interrupts what is left. */
  public void stop(Duration grace) {
    stopped = true;
    executor.shutdown();
    work.release(threads);
    try {
      if (!executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    while (!stopped) {
      pass();
      try {
        work.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void pass() {
    try {
      while (!stopped && worker.runOnce(BATCH) > 0) {
        afterPass.run();
      }
      afterPass.run();
    } catch (SpoolException | RuntimeException e) {
      log.error("delivery pass failed: {}", e.getMessage(), e);
    }
  }
}
