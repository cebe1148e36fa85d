// SPDX-License-Identifier: Apache-2.0
/**
 * Who may log in: password hashes (argon2id, bcrypt accepted), the users file, and throttling of
 * failed logins per client address and per user name. Passwords are never logged or stored in
 * clear; AUTH payloads never reach a log.
 */
package org.mailseal.auth;
