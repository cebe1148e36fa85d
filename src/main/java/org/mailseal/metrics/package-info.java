// SPDX-License-Identifier: Apache-2.0
/**
 * What the relay counts and measures, and how an operator asks whether it is alive and ready.
 *
 * <p>{@link org.mailseal.metrics.RelayMetrics} owns every meter name and tag, on a Micrometer
 * registry it is given (Prometheus in {@code serve}, a simple registry in tests and commands via
 * {@link org.mailseal.metrics.RelayMetrics#none()}). {@link org.mailseal.metrics.AdminServer} is
 * the admin HTTP listener serving {@code /metrics}, {@code /health} and {@code /ready}; the checks
 * behind {@code /ready} are {@link org.mailseal.metrics.Readiness} values the wiring supplies. This
 * package depends on no other mailseal part.
 */
package org.mailseal.metrics;
