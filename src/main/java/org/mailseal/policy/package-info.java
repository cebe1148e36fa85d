// SPDX-License-Identifier: Apache-2.0
/**
 * Who may send what: the parsing of SMTP paths without the routing tricks of old mail systems, each
 * user's allowed senders, the header From rules that keep mail DMARC-aligned, and each user's
 * sending limits (messages, recipients and first-time recipients over sliding windows). Pure
 * decisions; the submission server turns them into SMTP replies.
 */
package org.mailseal.policy;
