// SPDX-License-Identifier: Apache-2.0
package org.mailseal.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * The one way tests wait for something another thread does: Awaitility, with the condition named
 * (the failure says what never happened), checked at once and then every few milliseconds, and
 * bounded well under the tests' own timeout.
 */
public final class Waits {
  /** How long any condition may take: far above what it needs, far below a test's timeout. */
  public static final Duration AT_MOST = Duration.ofSeconds(20);

  private Waits() {}

  /** A wait for {@code what}, used as {@code await("the firing").until(() -> fired.get())}. */
  public static ConditionFactory await(String what) {
    return Awaitility.await(what)
        .atMost(AT_MOST)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10));
  }
}
