// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

/** The report mailbox could not be read: connection, login, folder. Nothing was marked or moved. */
public final class ReportFetchException extends Exception {
  private static final long serialVersionUID = 1L;

  public ReportFetchException(String message, Throwable cause) {
    super(message, cause);
  }
}
