// SPDX-License-Identifier: Apache-2.0
/**
 * What the relay counts and measures, on a Micrometer registry it is given (Prometheus in {@code
 * serve}, a simple registry in tests), and the admin HTTP listener that serves {@code /metrics},
 * {@code /health} and {@code /ready}.
 */
package org.mailseal.metrics;
