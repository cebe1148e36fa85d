// SPDX-License-Identifier: Apache-2.0
package org.mailseal.policy;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * May this user send this message? Both the envelope sender ({@code MAIL FROM}) and the header From
 * must be among the user's allowed senders, and the header From's domain must be one that mailseal
 * signs for (itself, or a subdomain of one: relaxed DMARC alignment), so every message that leaves
 * is DKIM-aligned. Exactly one From field holding exactly one mailbox (RFC 5322 §3.6: several need
 * a Sender field, which we do not sign for others).
 */
public final class SenderPolicy {
  private final Predicate<String> signedDomain;
  private final Predicate<String> parkedDomain;

  /**
   * @param signedDomain whether mail with a header From at this (lower-case ASCII) domain is signed
   *     by us
   */
  public SenderPolicy(Predicate<String> signedDomain) {
    this(signedDomain, d -> false);
  }

  /**
   * @param signedDomain whether mail with a header From at this (lower-case ASCII) domain is signed
   *     by us
   * @param parkedDomain whether this domain, or a parent of it, is parked: it sends no mail
   */
  public SenderPolicy(Predicate<String> signedDomain, Predicate<String> parkedDomain) {
    this.signedDomain = signedDomain;
    this.parkedDomain = parkedDomain;
  }

  /** The header From decision: the address to sign for, or the refusal. */
  public sealed interface FromDecision permits Allowed, Refused {}

  /** The single From mailbox, allowed. */
  public record Allowed(MailAddress from) implements FromDecision {}

  public record Refused(SmtpReply reply) implements FromDecision {}

  /**
   * Checks {@code MAIL FROM}.
   *
   * @param user who authenticated, for the reply text
   * @param path the address inside {@code <>}, empty for the null sender
   * @return the refusal, or empty when the sender is allowed
   */
  public Optional<SmtpReply> mailFrom(String user, List<SenderPattern> allowed, String path) {
    if (path.isBlank()) {
      // Only an MTA sends with <> (bounces, RFC 5321 §4.5.5); a user never needs it.
      return Optional.of(
          new SmtpReply(550, "5.7.1", "The null sender <> is not allowed for users"));
    }
    MailAddress a;
    try {
      a = MailAddress.parse(path);
    } catch (MailAddress.Invalid e) {
      return Optional.of(e.reply());
    }
    if (parkedDomain.test(a.domain())) {
      return Optional.of(parked(a.domain()));
    }
    if (!permitted(allowed, a)) {
      return Optional.of(
          new SmtpReply(
              550,
              "5.7.1",
              "Sender <" + a + "> is not allowed for user " + MailAddress.printable(user)));
    }
    return Optional.empty();
  }

  /**
   * Checks the From fields of the message.
   *
   * @param fromValues the value of every From field, unfolded, in order
   */
  public FromDecision headerFrom(
      String user, List<SenderPattern> allowed, List<String> fromValues) {
    if (fromValues.isEmpty()) {
      return refused(550, "5.7.1", "The message has no From header field");
    }
    if (fromValues.size() > 1) {
      return refused(
          550,
          "5.7.1",
          "The message has " + fromValues.size() + " From header fields; one is allowed");
    }
    InternetAddress[] parsed;
    try {
      parsed = InternetAddress.parseHeader(fromValues.get(0), true);
    } catch (AddressException e) {
      return refused(
          554,
          "5.6.0",
          "The From header field does not parse: " + MailAddress.printable(e.getMessage()));
    }
    if (parsed.length == 0) {
      return refused(554, "5.6.0", "The From header field has no address");
    }
    if (parsed.length > 1) {
      return refused(
          550,
          "5.7.1",
          "The From header field has " + parsed.length + " addresses; one is allowed");
    }
    if (parsed[0].isGroup()) {
      return refused(550, "5.7.1", "The From header field is a group; one mailbox is allowed");
    }
    MailAddress from;
    try {
      from = MailAddress.parse(decoded(parsed[0].getAddress()));
    } catch (MailAddress.Invalid e) {
      return refused(554, "5.6.0", "The From address is not valid: " + e.getMessage());
    }
    if (parkedDomain.test(from.domain())) {
      return new Refused(parked(from.domain()));
    }
    if (!permitted(allowed, from)) {
      return refused(
          550,
          "5.7.1",
          "From <" + from + "> is not allowed for user " + MailAddress.printable(user));
    }
    if (!signedDomain.test(from.domain())) {
      return refused(
          550, "5.7.1", "From domain " + from.domain() + " is not a domain this relay signs for");
    }
    return new Allowed(from);
  }

  private static String decoded(String address) {
    try {
      return MimeUtility.decodeText(address);
    } catch (UnsupportedEncodingException e) {
      return address;
    }
  }

  private static boolean permitted(List<SenderPattern> allowed, MailAddress a) {
    for (SenderPattern p : allowed) {
      if (p.matches(a)) {
        return true;
      }
    }
    return false;
  }

  private static SmtpReply parked(String domain) {
    return new SmtpReply(
        550,
        "5.7.1",
        domain
            + " is a parked domain: it sends no mail, and its DNS tells receivers to reject"
            + " mail from it");
  }

  private static Refused refused(int code, String enhanced, String text) {
    return new Refused(new SmtpReply(code, enhanced, text));
  }
}
