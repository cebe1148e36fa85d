// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a key is in its life: generated and published but not signing ({@code PENDING}), signing
 * ({@code ACTIVE}), still published so old signatures verify ({@code RETIRED}), withdrawn ({@code
 * REVOKED}). A key only moves forward: nothing returns to PENDING, a RETIRED key never signs again,
 * and REVOKED is final.
 */
public enum KeyState {
  PENDING,
  ACTIVE,
  RETIRED,
  REVOKED;

  /** The states this one may move to. */
  public Set<KeyState> next() {
    switch (this) {
      case PENDING:
        return EnumSet.of(ACTIVE, REVOKED); // REVOKED: abandoned before it ever signed
      case ACTIVE:
        return EnumSet.of(RETIRED, REVOKED); // REVOKED: compromised
      case RETIRED:
        return EnumSet.of(REVOKED);
      default:
        return EnumSet.noneOf(KeyState.class);
    }
  }

  public boolean canMoveTo(KeyState to) {
    return next().contains(to);
  }

  /** Whether a key in this state has a record in DNS that verifiers may still use. */
  public boolean isPublished() {
    return this != REVOKED;
  }
}
