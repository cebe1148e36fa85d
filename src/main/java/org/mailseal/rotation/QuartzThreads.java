// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.spi.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz's job threads: a fixed pool of daemon threads that stops at once. Quartz's own
 * SimpleThreadPool flags its idle workers on shutdown without waking them, so a shutdown that waits
 * for jobs sits out each worker's half-second idle wait; every stop of the relay paid it. Here an
 * idle pool ends as soon as it is shut down, and a shutdown that waits still waits for a running
 * reconcile or generation to finish. Quartz builds it by name ({@code org.quartz.threadPool.class})
 * and sets {@code threadCount} through {@link #setThreadCount}.
 */
public final class QuartzThreads implements ThreadPool {
  private static final Logger log = LoggerFactory.getLogger(QuartzThreads.class);

  /** How long a shutdown that waits for jobs waits for a running one. */
  static final long JOB_WAIT_SECONDS = 300;

  private int threadCount = 2;
  private String name = "mailseal-rotation";
  private Semaphore free;
  private ExecutorService executor;

  /** Set by Quartz from {@code org.quartz.threadPool.threadCount}. */
  public void setThreadCount(int threadCount) {
    if (threadCount < 1) {
      throw new IllegalArgumentException("QuartzThreads: threadCount must be at least 1");
    }
    this.threadCount = threadCount;
  }

  /** Set by Quartz from {@code org.quartz.threadPool.threadNamePrefix}. */
  public void setThreadNamePrefix(String prefix) {
    this.name = prefix;
  }

  @Override
  public void initialize() {
    free = new Semaphore(threadCount);
    AtomicInteger n = new AtomicInteger();
    executor =
        Executors.newFixedThreadPool(
            threadCount,
            r -> {
              Thread t = new Thread(r, name + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public boolean runInThread(Runnable job) {
    if (!acquire()) {
      return false;
    }
    try {
      executor.execute(
          () -> {
            try {
              job.run();
            } finally {
              free.release();
            }
          });
      return true;
    } catch (RejectedExecutionException shutDown) {
      free.release();
      return false;
    }
  }

  /** A free thread's permit; false once the pool is shut down or the caller is interrupted. */
  private boolean acquire() {
    try {
      while (!executor.isShutdown()) {
        if (free.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  @Override
  public int blockForAvailableThreads() {
    try {
      // Quartz's scheduler thread waits here; its halt interrupts it, and it then checks whether
      // it was halted, so an interrupt returns what is free (maybe none) rather than waiting on.
      while (free.availablePermits() == 0 && !executor.isShutdown()) {
        if (free.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          free.release();
          break;
        }
      }
    } catch (InterruptedException ignored) {
      // see above
    }
    return free.availablePermits();
  }

  @Override
  public void shutdown(boolean waitForJobsToComplete) {
    executor.shutdown();
    if (!waitForJobsToComplete) {
      return;
    }
    try {
      if (!executor.awaitTermination(JOB_WAIT_SECONDS, TimeUnit.SECONDS)) {
        log.warn("rotation job still running after {}s; stopping without it", JOB_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public int getPoolSize() {
    return threadCount;
  }

  @Override
  public void setInstanceId(String schedInstId) {
    // the threads are named by threadNamePrefix
  }

  @Override
  public void setInstanceName(String schedName) {
    // the threads are named by threadNamePrefix
  }
}
