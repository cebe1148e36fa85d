// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

/**
 * The rotation scheduler could not be built, scheduled or started: bad Quartz properties, a job
 * store that cannot be reached, or a schedule that never fires. The message names the cause.
 */
public final class RotationException extends Exception {
  private static final long serialVersionUID = 1L;

  public RotationException(String message, Throwable cause) {
    super(message, cause);
  }
}
