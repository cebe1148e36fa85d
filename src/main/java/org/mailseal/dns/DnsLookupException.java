// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dns;

/**
 * No answer could be had for a DNS question. {@link Temporary} (SERVFAIL, timeout, network) may
 * succeed if asked again later; {@link Permanent} (REFUSED, a malformed name or answer) will not.
 * Callers map the first to {@code temperror} and the second to {@code permerror}.
 */
public abstract sealed class DnsLookupException extends Exception
    permits DnsLookupException.Temporary, DnsLookupException.Permanent {
  private static final long serialVersionUID = 1L;

  private final String name;

  DnsLookupException(String name, String message, Throwable cause) {
    super(message, cause);
    this.name = name;
  }

  /** The name that was asked about, as text. */
  public String name() {
    return name;
  }

  /** Whether asking again later may succeed. */
  public abstract boolean isTemporary();

  /** SERVFAIL, timeout or a network error. */
  public static final class Temporary extends DnsLookupException {
    private static final long serialVersionUID = 1L;

    public Temporary(String name, String message, Throwable cause) {
      super(name, message, cause);
    }

    @Override
    public boolean isTemporary() {
      return true;
    }
  }

  /** REFUSED, a malformed name or an answer that cannot be parsed. */
  public static final class Permanent extends DnsLookupException {
    private static final long serialVersionUID = 1L;

    public Permanent(String name, String message, Throwable cause) {
      super(name, message, cause);
    }

    @Override
    public boolean isTemporary() {
      return false;
    }
  }
}
