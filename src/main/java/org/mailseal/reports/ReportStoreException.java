// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

/** The report store could not be read or written (disk, database, a damaged stored report). */
public final class ReportStoreException extends Exception {
  private static final long serialVersionUID = 1L;

  public ReportStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
