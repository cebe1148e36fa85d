// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One named condition {@code /ready} checks on every request, for example "listeners" (every
 * listener is open), "spool" (the spool directory is writable) or "keys" (every signing domain has
 * an ACTIVE key). A check that throws counts as failing. Checks run on the admin threads, so they
 * must be quick and must not block on the network.
 *
 * @param name short name shown in the {@code /ready} body
 * @param ok true while the condition holds
 * @param failure what to tell the operator when it does not, asked when it fails (so it can name
 *     what fails: the domains without a key, the upstreams that are down)
 */
public record Readiness(String name, BooleanSupplier ok, Supplier<String> failure) {
  public Readiness {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ok, "ok");
    Objects.requireNonNull(failure, "failure");
    if (name.isBlank()) {
      throw new IllegalArgumentException("Readiness: name must not be blank");
    }
  }

  /** A check whose failure text is always the same. */
  public Readiness(String name, BooleanSupplier ok, String failure) {
    this(name, ok, () -> failure);
  }

  /** True when the condition holds; false when it does not or the check throws. */
  boolean passes() {
    try {
      return ok.getAsBoolean();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The line {@code /ready} prints for this check when it fails. */
  String line() {
    String why;
    try {
      why = failure.get();
    } catch (RuntimeException e) {
      why = "unknown (" + e.getMessage() + ")";
    }
    return name + ": " + why;
  }
}
