// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: one thread runs the directory changes (renames, deletes) that callers hand it, in
 * batches, and syncs the spool directory once per batch before it releases every caller of that
 * batch. While it syncs, new requests queue up and form the next batch, so under load many sessions
 * share one directory fsync; alone, a caller pays one.
 *
 * <p>Callers sync their own files' contents before they hand over (see {@link Spool#store}): file
 * fsyncs of different files can run in parallel, the directory fsync is the shared part.
 */
final class Committer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Committer.class);

  /** A change to the spool directory: renames or deletes of names in it. */
  @FunctionalInterface
  interface Step {
    void run() throws IOException;
  }

  /** A step that changes nothing: for callers that made their change and need only the sync. */
  static final Step SYNC_ONLY = () -> {};

  private record Pending(Step step, CompletableFuture<Void> done) {}

  private static final Pending STOP = new Pending(() -> {}, new CompletableFuture<>());

  private final Path dir;
  private final Syncer syncer;
  private final int maxBatch;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Object submitLock = new Object();
  private final Thread thread;
  private boolean closed; // guarded by submitLock
  private volatile int committing;

  Committer(Path dir, Syncer syncer, int maxBatch) {
    this.dir = dir;
    this.syncer = syncer;
    this.maxBatch = maxBatch;
    this.thread = new Thread(this::run, "spool-committer");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Runs {@code step} in the next batch and returns once the directory has been synced after it.
   *
   * @throws IOException when the step or the directory sync failed, or the committer is closed
   * @throws InterruptedException when interrupted while waiting; the step may still be committed
   */
  void commit(Step step) throws IOException, InterruptedException {
    Pending p = new Pending(step, new CompletableFuture<>());
    synchronized (submitLock) {
      if (closed) {
        throw new IOException("spool is closed");
      }
      queue.add(p);
    }
    try {
      p.done().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(cause);
    }
  }

  /** How many requests wait for the next batch or are in the batch being committed (for tests). */
  int queued() {
    return queue.size() + committing;
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (true) {
      batch.clear();
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        // Nobody interrupts this thread but close(); the queue is drained there.
        Thread.currentThread().interrupt();
        return;
      }
      queue.drainTo(batch, maxBatch - 1);
      // STOP is the last thing ever queued, so it can only end a batch.
      boolean stop = batch.get(batch.size() - 1) == STOP;
      if (stop) {
        batch.remove(batch.size() - 1);
      }
      if (!batch.isEmpty()) {
        committing = batch.size();
        try {
          commitBatch(batch);
        } catch (Throwable t) {
          // An Error here must not leave callers waiting forever for a thread that died.
          log.error("spool committer failed batch={}", batch.size(), t);
          for (Pending p : batch) {
            p.done().completeExceptionally(t);
          }
        } finally {
          committing = 0;
        }
      }
      if (stop) {
        return;
      }
    }
  }

  private void commitBatch(List<Pending> batch) {
    List<Pending> done = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      try {
        p.step().run();
        done.add(p);
      } catch (IOException | RuntimeException e) {
        p.done().completeExceptionally(e);
      }
    }
    if (done.isEmpty()) {
      return;
    }
    try {
      syncer.syncDirectory(dir);
    } catch (IOException | RuntimeException e) {
      log.error("spool directory sync failed dir={} batch={}", dir, done.size(), e);
      for (Pending p : done) {
        p.done().completeExceptionally(e);
      }
      return;
    }
    for (Pending p : done) {
      p.done().complete(null);
    }
  }

  /** Commits what is queued, then stops the thread. Later {@link #commit} calls fail. */
  @Override
  public void close() {
    synchronized (submitLock) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(STOP);
    }
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
