// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyAlgorithm;

/**
 * One step the reconcile decided: generate and publish a new key, activate a published one, revoke
 * one whose grace is over, or tell the operator that DNS is late. Retiring is part of {@link
 * Activate}: the key store retires the old key in the same write.
 */
public sealed interface Transition
    permits Transition.Publish, Transition.Activate, Transition.Revoke, Transition.DnsLate {

  String domain();

  /** A line for the log, naming the domain and key. */
  String describe();

  /** Generate a key of {@code algorithm}; it enters PENDING and its record must be published. */
  record Publish(String domain, KeyAlgorithm algorithm, String reason) implements Transition {
    @Override
    public String describe() {
      return "generate " + algorithm.tag() + " key for " + domain + " (" + reason + ")";
    }
  }

  /** {@code key} starts signing; the ACTIVE key of its algorithm, if any, is retired with it. */
  record Activate(String domain, DkimKey key) implements Transition {
    @Override
    public String describe() {
      return "activate " + key.selector() + " of " + domain;
    }
  }

  /** {@code key}'s grace is over: it is revoked and its record may go. */
  record Revoke(String domain, DkimKey key) implements Transition {
    @Override
    public String describe() {
      return "revoke " + key.selector() + " of " + domain + " (grace over)";
    }
  }

  /** {@code key} is past its DNS deadline and DNS still does not show its record. */
  record DnsLate(String domain, DkimKey key) implements Transition {
    @Override
    public String describe() {
      return "DNS does not show "
          + key.recordName()
          + " past its deadline; the old key keeps signing";
    }
  }
}
