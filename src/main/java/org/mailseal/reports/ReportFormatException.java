// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

/**
 * An input that is not a readable aggregate report: malformed XML, a missing required element, a
 * size limit passed. The message is one line that says why; it is shown with the input's name and
 * the report is set aside.
 */
public final class ReportFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public ReportFormatException(String message) {
    super(message);
  }

  public ReportFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
