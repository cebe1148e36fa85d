// SPDX-License-Identifier: Apache-2.0
package org.mailseal.policy;

/**
 * Why the policy refuses a sender, an address or a message's From field: what kind of refusal it
 * is, and one sentence for the client naming what was wrong. The listener turns it into its SMTP
 * reply ({@code submission.SmtpReplies}); the policy knows no reply codes.
 *
 * @param text one line, without a reply code
 */
public record Refusal(Reason reason, String text) {
  public Refusal {
    if (text.isBlank() || text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("Refusal: text must be one non-empty line");
    }
  }

  /** The kinds of refusal. */
  public enum Reason {
    /** An address that does not parse or carries routing tricks. */
    BAD_ADDRESS,
    /** The null sender {@code <>} from a user. */
    NULL_SENDER,
    /** A sender or From address the user may not use. */
    NOT_ALLOWED,
    /** A sender or From address at a parked domain. */
    PARKED,
    /** Not exactly one From field with one mailbox. */
    NOT_ONE_FROM,
    /** A From field that does not parse. */
    MALFORMED_FROM,
    /** A From domain this relay does not sign for. */
    NOT_SIGNED
  }
}
