// SPDX-License-Identifier: Apache-2.0
/**
 * The submission service users point their mail clients at: listeners (STARTTLS on 587, implicit
 * TLS on 465, an optional trusted network without AUTH) on SubEthaSMTP, AUTH PLAIN and LOGIN under
 * TLS only, the sender policy at MAIL FROM and on the header From, and on DATA: line endings
 * normalized, trace fields added, every ACTIVE key of the From domain signing, and the spool's
 * durable write before {@code 250}.
 */
package org.mailseal.submission;
