// SPDX-License-Identifier: Apache-2.0
package org.mailseal.sendmail;

/**
 * Why a message was not handed over, with the exit status sendmail gives for it ({@code
 * sysexits.h}), which cron, PHP and scripts read.
 */
public final class SendmailException extends Exception {
  private static final long serialVersionUID = 1L;

  /** EX_USAGE: a bad option, or no recipient. */
  public static final int USAGE = 64;

  /** EX_DATAERR: the relay refused the message itself (too large, malformed). */
  public static final int DATA = 65;

  /** EX_NOUSER: the relay refused a recipient. */
  public static final int NO_USER = 67;

  /** EX_TEMPFAIL: the relay is down or answered 4xx; try again later. */
  public static final int TEMPFAIL = 75;

  /** EX_NOPERM: the trusted listener refused the sender. */
  public static final int NO_PERMISSION = 77;

  /** EX_CONFIG: no usable configuration (no trusted listener). */
  public static final int CONFIG = 78;

  private final int exitCode;

  public SendmailException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
