// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Run in a child JVM by {@link KillTest}: stores numbered messages from a few threads with real
 * fsync and prints {@code <id> <n>} for each only after {@code store} returned, until killed or
 * {@code max} messages are stored.
 */
public final class SpoolWriterMain {
  private SpoolWriterMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int max = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
    AtomicInteger next = new AtomicInteger();
    try (Spool spool =
        Spool.open(dir, Clock.systemUTC(), SpoolOptions.defaults(new SecureRandom()))) {
      Thread[] workers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        workers[t] =
            new Thread(
                () -> {
                  for (int n; (n = next.getAndIncrement()) < max; ) {
                    byte[] m = Messages.numbered(n);
                    try {
                      QueueId id = spool.store(Messages.draft("bob@example.net"), o -> o.write(m));
                      synchronized (out) {
                        out.println(id + " " + n);
                        out.flush();
                      }
                    } catch (SpoolException e) {
                      throw new IllegalStateException(e);
                    }
                  }
                });
        workers[t].start();
      }
      for (Thread w : workers) {
        w.join();
      }
    }
  }
}
