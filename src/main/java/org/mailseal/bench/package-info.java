// SPDX-License-Identifier: Apache-2.0
/**
 * The load generator behind {@code mailseal bench}: C SMTP connections, each STARTTLS or implicit
 * TLS, AUTH PLAIN, then messages sent back to back on the same connection with MAIL, RCPT and DATA
 * pipelined when the server offers PIPELINING. It measures what a submitting client sees: messages
 * accepted per second, and the time from the end of DATA to the {@code 250} that says the message
 * is durably queued. Raw sockets and JSSE, no mail library, so the client costs little CPU and
 * times exactly what it sends.
 *
 * <p>Depends on nothing else in mailseal: it is a client of any SMTP server.
 */
package org.mailseal.bench;
