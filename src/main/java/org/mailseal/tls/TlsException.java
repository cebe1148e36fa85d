// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

/** The listeners' certificate or key cannot be loaded or made; the message names the file. */
public final class TlsException extends Exception {
  private static final long serialVersionUID = 1L;

  public TlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
