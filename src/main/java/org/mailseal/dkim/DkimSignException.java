// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

/**
 * A message cannot be signed as it is. The message is one line fit for a user or an SMTP reply;
 * {@link #reason()} lets the caller pick the reply code.
 */
public final class DkimSignException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the message cannot be signed. */
  public enum Reason {
    /** There is no From header field (RFC 6376 §5.4 requires signing it). */
    NO_FROM,
    /** The header section is larger than the configured bound. */
    HEADER_TOO_LARGE,
    /** The header section cannot be parsed into fields. */
    MALFORMED_HEADER
  }

  private final Reason reason;

  public DkimSignException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
