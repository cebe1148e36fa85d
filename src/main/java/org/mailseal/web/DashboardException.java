// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

/**
 * A dashboard read or action failed; the message is one line for the operator (the page shows it),
 * never internal detail such as a stack trace.
 */
public final class DashboardException extends Exception {
  private static final long serialVersionUID = 1L;

  public DashboardException(String message) {
    super(message);
  }

  public DashboardException(String message, Throwable cause) {
    super(message, cause);
  }
}
