// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * What the SMTP session knows about a message when it hands it to {@link Spool#store}: the
 * envelope, and who submitted it. The spool adds the id, the acceptance time, the size and the
 * delivery state.
 *
 * @param sender the {@code MAIL FROM} address without angle brackets; empty for the null
 *     reverse-path {@code <>} that bounces use
 * @param recipients the {@code RCPT TO} addresses in order; duplicates are dropped (first kept)
 * @param authUser the user that authenticated the session; empty for messages mailseal makes itself
 *     (bounces)
 * @param bounce whether this message is a delivery status notification; a bounce that fails is
 *     dropped, never bounced again (RFC 5321 §6.1 and §4.5.5); a bounce has an empty sender
 */
public record EnvelopeDraft(
    String sender, List<String> recipients, String authUser, boolean bounce) {
  public EnvelopeDraft {
    if (sender == null) {
      throw new IllegalArgumentException("EnvelopeDraft: sender must not be null (use \"\")");
    }
    if (authUser == null) {
      throw new IllegalArgumentException("EnvelopeDraft: authUser must not be null (use \"\")");
    }
    if (recipients == null || recipients.isEmpty()) {
      throw new IllegalArgumentException("EnvelopeDraft: recipients must not be empty");
    }
    for (String r : recipients) {
      if (r == null || r.isBlank()) {
        throw new IllegalArgumentException("EnvelopeDraft: recipient must not be blank");
      }
    }
    recipients = List.copyOf(new LinkedHashSet<>(recipients));
    if (bounce && !sender.isEmpty()) {
      throw new IllegalArgumentException("EnvelopeDraft: a bounce must have the null sender <>");
    }
  }

  /** A message submitted by {@code authUser}. */
  public static EnvelopeDraft submitted(String sender, List<String> recipients, String authUser) {
    return new EnvelopeDraft(sender, recipients, authUser, false);
  }

  /** A delivery status notification made by mailseal, with the null sender. */
  public static EnvelopeDraft bounceTo(String recipient) {
    return new EnvelopeDraft("", List.of(recipient), "", true);
  }
}
