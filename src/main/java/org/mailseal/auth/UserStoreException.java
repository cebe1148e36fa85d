// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

/** The users file cannot be read, parsed or written; the message names the file and the user. */
public final class UserStoreException extends Exception {
  private static final long serialVersionUID = 1L;

  public UserStoreException(String message) {
    super(message);
  }

  public UserStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
