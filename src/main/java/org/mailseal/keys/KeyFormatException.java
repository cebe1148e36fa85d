// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

/**
 * A key file or PEM text could not be read as a private key. The message names the source (a file
 * name) and the reason, never any key material.
 */
public final class KeyFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public KeyFormatException(String message) {
    super(message);
  }

  public KeyFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
