// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

/**
 * The key store could not do what was asked. Subclasses name the case and carry the domain and
 * selector; the message never contains key material.
 */
public abstract sealed class KeyStoreException extends Exception
    permits KeyStoreException.NoSuchKey,
        KeyStoreException.IllegalTransition,
        KeyStoreException.DuplicateSelector,
        KeyStoreException.Storage {
  private static final long serialVersionUID = 1L;

  private final String domain;
  private final String selector;

  KeyStoreException(String domain, String selector, String message, Throwable cause) {
    super(message, cause);
    this.domain = domain;
    this.selector = selector;
  }

  public String domain() {
    return domain;
  }

  public String selector() {
    return selector;
  }

  /** There is no key of that domain and selector. */
  public static final class NoSuchKey extends KeyStoreException {
    private static final long serialVersionUID = 1L;

    public NoSuchKey(String domain, String selector) {
      super(domain, selector, "no key " + selector + " for " + domain, null);
    }
  }

  /** The change is not allowed by the life of a key. */
  public static final class IllegalTransition extends KeyStoreException {
    private static final long serialVersionUID = 1L;

    public IllegalTransition(String domain, String selector, String reason) {
      super(domain, selector, reason, null);
    }
  }

  /** A key of that domain already has that selector. */
  public static final class DuplicateSelector extends KeyStoreException {
    private static final long serialVersionUID = 1L;

    public DuplicateSelector(String domain, String selector) {
      super(domain, selector, domain + " already has a key with selector " + selector, null);
    }
  }

  /** Reading or writing the store failed. */
  public static final class Storage extends KeyStoreException {
    private static final long serialVersionUID = 1L;

    public Storage(String domain, String selector, String message, Throwable cause) {
      super(domain, selector, message, cause);
    }
  }
}
