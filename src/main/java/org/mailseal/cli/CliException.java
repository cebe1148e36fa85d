// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

/**
 * An expected failure of a command: its message is printed as one line, prefixed with {@code
 * mailseal:}, and the process exits with {@link #exitCode()}. Never carries secrets in its text.
 */
public final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Exit status for bad input: unreadable file, malformed key or message, bad option. */
  public static final int USAGE = 2;

  /** Exit status when a service the command needed could not be reached (database, disk, port). */
  public static final int UNAVAILABLE = 3;

  /** Exit status for a check that found a problem (a signature that fails, a missing record). */
  public static final int CHECK_FAILED = 1;

  private final int exitCode;

  public CliException(String message) {
    this(message, USAGE);
  }

  public CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
