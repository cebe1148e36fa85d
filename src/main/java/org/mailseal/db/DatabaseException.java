// SPDX-License-Identifier: Apache-2.0
package org.mailseal.db;

/** The database of cluster mode could not be reached, migrated or used; the message says which. */
public final class DatabaseException extends Exception {
  private static final long serialVersionUID = 1L;

  public DatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
