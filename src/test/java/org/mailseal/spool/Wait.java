// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, yielding between checks (no fixed sleeps). */
final class Wait {
  private static final long DEADLINE_NANOS = 20_000_000_000L;

  private Wait() {}

  static void until(String what, BooleanSupplier condition) {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - start > DEADLINE_NANOS) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }
}
