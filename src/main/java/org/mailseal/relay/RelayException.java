// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

/**
 * An expected failure of a relay operation, in words an operator can act on: a configuration with
 * problems, a key store or database that cannot be opened, a listener that cannot bind. Never
 * carries a secret in its text. The command line prints it as one line.
 */
public class RelayException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What kind of failure: a command chooses its exit status from it. */
  public enum Kind {
    /** The configuration or the input is wrong: fix it and run again. */
    CONFIGURATION,
    /** Something the operation needed could not be reached or used (database, disk, port). */
    UNAVAILABLE
  }

  private final Kind kind;

  public RelayException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public RelayException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
