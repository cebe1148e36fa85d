// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

/** A key record could not be fetched; temporary failures map to {@code temperror}. */
public final class KeyResolverException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean temporary;

  public KeyResolverException(String message, boolean temporary, Throwable cause) {
    super(message, cause);
    this.temporary = temporary;
  }

  public boolean isTemporary() {
    return temporary;
  }
}
