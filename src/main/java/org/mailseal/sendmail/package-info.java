// SPDX-License-Identifier: Apache-2.0
/**
 * The sendmail command-line interface that cron, {@code mail}, monitoring scripts and PHP use
 * ({@code -t}, {@code -f}, {@code -i}, {@code -F}, recipients as arguments, the message on standard
 * input), submitting to the local relay through its trusted listener with plain SMTP. It qualifies
 * bare names ({@code root}) with the origin domain, as Postfix's {@code myorigin} does, and answers
 * with sendmail's exit codes ({@link org.mailseal.sendmail.SendmailException}). A leaf: it knows
 * nothing of the relay's parts, only the address it listens on.
 */
package org.mailseal.sendmail;
