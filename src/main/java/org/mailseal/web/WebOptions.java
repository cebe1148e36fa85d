// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the dashboard listens and how long a login lasts.
 *
 * @param port 0 picks a free port
 * @param sessionIdle a session ends after this long without a request
 * @param sessionMax a session ends this long after the login in any case
 */
public record WebOptions(InetAddress address, int port, Duration sessionIdle, Duration sessionMax) {
  public static final Duration DEFAULT_IDLE = Duration.ofMinutes(30);
  public static final Duration DEFAULT_MAX = Duration.ofHours(12);

  public WebOptions {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("WebOptions: port must be 0-65535");
    }
    if (sessionIdle.isNegative() || sessionIdle.isZero() || sessionMax.compareTo(sessionIdle) < 0) {
      throw new IllegalArgumentException(
          "WebOptions: sessionIdle must be positive and sessionMax at least sessionIdle");
    }
  }

  /** {@code address:port} with the default session lengths (30 minutes idle, 12 hours at most). */
  public static WebOptions of(InetAddress address, int port) {
    return new WebOptions(address, port, DEFAULT_IDLE, DEFAULT_MAX);
  }
}
