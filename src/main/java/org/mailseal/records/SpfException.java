// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

/** SPF evaluation failed: {@link Syntax} is a permerror naming the offending term. */
public abstract sealed class SpfException extends Exception permits SpfException.Syntax {
  private static final long serialVersionUID = 1L;

  SpfException(String message) {
    super(message);
  }

  /** A record that does not follow the grammar of RFC 7208 §12. */
  public static final class Syntax extends SpfException {
    private static final long serialVersionUID = 1L;
    private final String term;

    public Syntax(String term, String reason) {
      super("syntax error at \"" + term + "\": " + reason);
      this.term = term;
    }

    public String term() {
      return term;
    }
  }
}
