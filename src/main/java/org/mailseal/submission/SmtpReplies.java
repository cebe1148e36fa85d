// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import org.mailseal.auth.AccountLimits;
import org.mailseal.auth.Authenticator;
import org.mailseal.policy.MailAddress;
import org.mailseal.policy.Refusal;
import org.mailseal.policy.UserLimiter;

/**
 * Every reply mailseal gives a client for an outcome of another part: a refused login ({@code
 * auth}), a refused sender, address or From field ({@code policy}), a sending limit or suspension
 * ({@code auth.AccountLimits}), and the refusals of the message itself. Those parts return
 * outcomes; the codes and words a client sees are chosen here, each with its enhanced status code
 * (RFC 3463). The SMTP verbs' own replies are in {@link SmtpVerbs}.
 */
final class SmtpReplies {
  private SmtpReplies() {}

  /** A refused login: 535 5.7.8, or 454 4.7.0 while throttled, 421 4.7.0 when locked out. */
  static SmtpReply of(Authenticator.Failure f) {
    String why = "Too many failed logins from " + f.scope();
    return switch (f.reason()) {
      case BAD_CREDENTIALS -> new SmtpReply(535, "5.7.8", "Authentication credentials invalid");
      case THROTTLED ->
          new SmtpReply(454, "4.7.0", why + "; try again in " + f.seconds() + " seconds");
      case LOCKED -> new SmtpReply(421, "4.7.0", why + "; locked for " + f.seconds() + " seconds");
    };
  }

  /** A policy refusal: 553 5.1.3 for a bad address, 554 5.6.0 for a bad From, else 550 5.7.1. */
  static SmtpReply of(Refusal r) {
    return switch (r.reason()) {
      case BAD_ADDRESS -> new SmtpReply(553, "5.1.3", r.text());
      case MALFORMED_FROM -> new SmtpReply(554, "5.6.0", r.text());
      case NULL_SENDER, NOT_ALLOWED, PARKED, NOT_ONE_FROM, NOT_SIGNED ->
          new SmtpReply(550, "5.7.1", r.text());
    };
  }

  /** An address that does not parse: 553 5.1.3 naming why. */
  static SmtpReply of(MailAddress.Invalid e) {
    return new SmtpReply(553, "5.1.3", e.getMessage());
  }

  /**
   * A sending limit reached (450 4.7.1: try later, naming the limit and when) or a suspended user
   * (550 5.7.1: only the administrator can lift it).
   */
  static SmtpReply of(AccountLimits.Refusal r) {
    String user = "User " + MailAddress.printable(r.user());
    if (r.exceeded().isPresent()) {
      UserLimiter.Exceeded e = r.exceeded().get();
      return new SmtpReply(
          450,
          "4.7.1",
          user
              + " reached the limit "
              + e.limit().key()
              + " ("
              + e.value()
              + " in "
              + e.window()
              + "); try again in "
              + e.retryMinutes()
              + " minutes");
    }
    return new SmtpReply(
        550,
        "5.7.1",
        user
            + " is suspended"
            + r.suspension()
                .map(s -> " since " + s.since() + " (" + MailAddress.printable(s.reason()) + ")")
                .orElse("")
            + "; ask the relay's administrator");
  }

  /** 530 5.7.0: MAIL before AUTH. */
  static SmtpReply authenticationRequired() {
    return new SmtpReply(530, "5.7.0", "Authentication required");
  }

  /** 550 5.7.1: the user was removed while the session was open. */
  static SmtpReply userGone(String user) {
    return new SmtpReply(550, "5.7.1", "User " + user + " no longer exists");
  }

  /** 552 5.3.4: the header section is larger than the limit. */
  static SmtpReply headerTooLarge(int limit) {
    return new SmtpReply(552, "5.3.4", "Header section larger than " + limit + " bytes");
  }

  /** 554 5.6.0: the header section does not parse. */
  static SmtpReply malformedHeader(String why) {
    return new SmtpReply(554, "5.6.0", "Malformed header section: " + why);
  }

  /** 451 4.7.0: the From domain has no ACTIVE key yet; signing is never skipped silently. */
  static SmtpReply noActiveKey(String domain) {
    return new SmtpReply(
        451, "4.7.0", "No active DKIM key for " + domain + " yet; try again later");
  }

  /** 554 5.6.0: the signer refused the message. */
  static SmtpReply cannotSign(String why) {
    return new SmtpReply(554, "5.6.0", "Message cannot be signed: " + why);
  }

  /** 554 5.6.0: a line too long to relay without breaking the signature. */
  static SmtpReply lineTooLong(int limit) {
    return new SmtpReply(
        554,
        "5.6.0",
        "Message has a line longer than "
            + limit
            + " octets (RFC 5322 2.1.1); relays on the way would wrap it and break the"
            + " signature. Send it quoted-printable or base64 encoded");
  }

  /** 552 5.3.4: the message is larger than the limit. */
  static SmtpReply messageTooLarge(long limit) {
    return new SmtpReply(552, "5.3.4", "Message larger than " + limit + " bytes");
  }

  /** 451 4.3.0: the spool could not store the message; nothing was accepted. */
  static SmtpReply cannotStore() {
    return new SmtpReply(451, "4.3.0", "Temporary failure storing the message; try again later");
  }
}
