// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.Callable;

/**
 * The same cases as {@link SignBenchmark}, timed in CPU time of the measuring thread rather than
 * wall time, so that other work on a shared 2-core machine does not distort the ratios. Prints
 * operations per CPU-second for each case and the ratios the goals are stated in.
 */
public final class CpuTimeBench {
  private CpuTimeBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    for (int size : new int[] {4096, 102400}) {
      SignBenchmark b = new SignBenchmark();
      b.size = size;
      b.setUp();
      double bareRsa = rate(b::bareRsa2048, seconds);
      double signRsa = rate(b::signRsa2048, seconds);
      double bareEd = rate(b::bareEd25519, seconds);
      double signEd = rate(b::signEd25519, seconds);
      System.out.printf(
          "RESULT size=%d bareRsa2048=%.0f signRsa2048=%.0f rsa_ratio=%.3f"
              + " bareEd25519=%.0f signEd25519=%.0f ed_ratio=%.3f (ops per CPU-second)%n",
          size, bareRsa, signRsa, signRsa / bareRsa, bareEd, signEd, signEd / bareEd);
    }
  }

  /** Operations per CPU-second: warm up, then run for {@code seconds} of this thread's CPU. */
  private static double rate(Callable<?> op, int seconds) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long warmEnd = threads.getCurrentThreadCpuTime() + seconds * 1_000_000_000L / 2;
    while (threads.getCurrentThreadCpuTime() < warmEnd) {
      op.call();
    }
    long start = threads.getCurrentThreadCpuTime();
    long end = start + seconds * 1_000_000_000L;
    long n = 0;
    long now;
    do {
      for (int i = 0; i < 16; i++) {
        op.call();
      }
      n += 16;
      now = threads.getCurrentThreadCpuTime();
    } while (now < end);
    return n / ((now - start) / 1e9);
  }
}
