// SPDX-License-Identifier: Apache-2.0
package org.mailseal.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs one load: {@link LoadOptions#connections()} threads, each with its own connection, take
 * message numbers from a shared counter until {@link LoadOptions#messages()} are taken or the
 * duration has passed. The clock starts once every connection is open and authenticated (or has
 * given up): AUTH with a memory-hard password hash costs far more than a message, and belongs in
 * {@link LoadReport#setup()}, not in the rate. A connection that fails is reopened, up to {@link
 * #MAX_FAILURES_IN_A_ROW} failures in a row, after which its thread gives up; so a run always ends.
 *
 * <p>Message {@code n} carries {@code Message-ID: <bench.RUNID.n@FROM-DOMAIN>}, so a test can find
 * exactly the messages the server acknowledged.
 */
public final class LoadGenerator {
  static final int MAX_FAILURES_IN_A_ROW = 5;
  private static final Duration SETUP_TIMEOUT = Duration.ofMinutes(5);

  /** Told about each message's outcome, from the connection threads; must be thread-safe. */
  public interface Listener {
    /** Message {@code n} is about to be sent (MAIL FROM goes out next). */
    default void sending(long n) {}

    /** Message {@code n} got {@code code} (0 when the connection failed before a reply). */
    void replied(long n, int code);

    /** Does nothing. */
    Listener NONE = (n, code) -> {};
  }

  private final LoadOptions options;
  private final TestMessage message;
  private final PrintStream progress;
  private final Duration progressEvery;

  /**
   * @param clock dates the messages
   * @param runId goes into every Message-ID; letters and digits
   * @param progress a line per {@code progressEvery} while the run lasts (stderr for the CLI)
   */
  public LoadGenerator(
      LoadOptions options,
      Clock clock,
      String runId,
      PrintStream progress,
      Duration progressEvery) {
    this.options = options;
    this.message =
        new TestMessage(
            options.from(),
            options.recipient(),
            ZonedDateTime.now(clock),
            runId,
            options.messageBytes());
    this.progress = progress;
    this.progressEvery = progressEvery;
  }

  /** Sends the load and returns once every connection thread has ended. */
  public LoadReport run(Listener listener) throws InterruptedException {
    AtomicLong next = new AtomicLong();
    LongAdder accepted = new LongAdder();
    Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    long setupStart = System.nanoTime();
    CountDownLatch ready = new CountDownLatch(options.connections());
    AtomicLong startedAt = new AtomicLong();
    List<Latencies> latencies = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < options.connections(); i++) {
      Latencies l = new Latencies();
      latencies.add(l);
      Thread t =
          new Thread(
              () -> connectionLoop(ready, startedAt, next, accepted, errors, l, listener),
              "bench-conn-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    if (!ready.await(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      progress.println("bench: not every connection was ready after " + SETUP_TIMEOUT);
    }
    startedAt.compareAndSet(0, System.nanoTime());
    long start = startedAt.get();
    long lastReport = start;
    for (Thread t : threads) {
      while (t.isAlive()) {
        t.join(200);
        long now = System.nanoTime();
        if (now - lastReport >= progressEvery.toNanos()) {
          lastReport = now;
          progress.printf(
              Locale.ROOT,
              "bench: %.0fs sent=%d accepted=%d errors=%d%n",
              (now - start) / 1e9,
              Math.min(next.get(), options.messages()),
              accepted.sum(),
              errors.values().stream().mapToLong(LongAdder::sum).sum());
          progress.flush();
        }
      }
    }
    long elapsed = System.nanoTime() - start;
    Latencies all = new Latencies();
    latencies.forEach(all::add);
    Map<String, Long> errorCounts = new java.util.HashMap<>();
    errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
    return new LoadReport(
        Math.min(next.get(), options.messages()),
        accepted.sum(),
        errorCounts,
        Duration.ofNanos(start - setupStart),
        Duration.ofNanos(elapsed),
        all.percentileMicros(0.50),
        all.percentileMicros(0.99),
        all.maxMicros());
  }

  private void connectionLoop(
      CountDownLatch ready,
      AtomicLong startedAt,
      AtomicLong next,
      LongAdder accepted,
      Map<String, LongAdder> errors,
      Latencies latencies,
      Listener listener) {
    int failures = 0;
    SmtpClient client = null;
    boolean counted = false;
    long deadline = Long.MAX_VALUE;
    try {
      while (failures < MAX_FAILURES_IN_A_ROW && System.nanoTime() < deadline) {
        if (client == null) {
          try {
            client = SmtpClient.open(options);
          } catch (IOException e) {
            count(
                errors,
                e instanceof SmtpClient.UnexpectedReply u ? "connect_" + u.code : "connect");
            failures++;
            continue;
          }
        }
        if (!counted) {
          counted = true;
          ready.countDown();
          if (!ready.await(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            break;
          }
          startedAt.compareAndSet(0, System.nanoTime());
          long start = startedAt.get();
          deadline = options.duration().map(d -> start + d.toNanos()).orElse(Long.MAX_VALUE);
        }
        long n = next.getAndIncrement();
        if (n >= options.messages()) {
          break;
        }
        listener.sending(n);
        SmtpClient.Reply r;
        try {
          r =
              client.send(
                  options.from(),
                  options.recipient(),
                  message.head(n),
                  message.bodyAndEnd(),
                  latencies::record);
        } catch (IOException e) {
          listener.replied(n, 0);
          count(errors, "io");
          client.close();
          client = null;
          failures++;
          continue;
        }
        listener.replied(n, r.code());
        if (r.code() == 250) {
          accepted.increment();
          failures = 0;
          continue;
        }
        count(errors, Integer.toString(r.code()));
        failures++;
        if (r.code() == 421) {
          client.close();
          client = null;
        } else {
          try {
            client.reset();
          } catch (IOException e) {
            client.close();
            client = null;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (!counted) {
        ready.countDown();
      }
      if (client != null) {
        client.quit();
        client.close();
      }
    }
  }

  private static void count(Map<String, LongAdder> errors, String key) {
    errors.computeIfAbsent(key, k -> new LongAdder()).increment();
  }
}
