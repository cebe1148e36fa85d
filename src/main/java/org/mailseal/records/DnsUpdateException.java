// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

/**
 * An RFC 2136 update did not go through. {@link #code()} names what happened in one word: the
 * server's RCODE ({@code REFUSED}, {@code NOTAUTH}, {@code SERVFAIL} …), the TSIG error when there
 * is one ({@code BADSIG}, {@code BADKEY}, {@code BADTIME}), or {@code TIMEOUT}, {@code NETWORK},
 * {@code SECRET} (the key's secret cannot be read or is not base64) and {@code UNSIGNED} (an answer
 * without a valid TSIG signature).
 */
public final class DnsUpdateException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String server;
  private final String code;

  public DnsUpdateException(String server, String code, String message, Throwable cause) {
    super(message, cause);
    this.server = server;
    this.code = code;
  }

  /** {@code host:port} of the server written to. */
  public String server() {
    return server;
  }

  /** What happened, in one upper-case word (an RCODE or TSIG error name, or our own). */
  public String code() {
    return code;
  }

  /**
   * Whether the same update may go through later without anyone changing anything (a timeout, a
   * server failure); a refusal or a bad key needs the operator.
   */
  public boolean isTemporary() {
    return switch (code) {
      case "TIMEOUT", "NETWORK", "SERVFAIL", "BADTIME" -> true;
      default -> false;
    };
  }
}
