// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

/** The dashboard's listener cannot start: the address is taken, or TLS is missing off loopback. */
public final class WebException extends Exception {
  private static final long serialVersionUID = 1L;

  public WebException(String message) {
    super(message);
  }

  public WebException(String message, Throwable cause) {
    super(message, cause);
  }
}
