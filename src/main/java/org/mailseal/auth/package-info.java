// SPDX-License-Identifier: Apache-2.0
/**
 * Who may log in: password hashes (argon2id, bcrypt accepted), the users file, and throttling of
 * failed logins per client address and network (a user name is only slowed, never locked); app
 * passwords, the admin role, suspensions, and what a user may still send (AccountLimits). Passwords
 * are never logged or stored in clear; AUTH payloads never reach a log.
 */
package org.mailseal.auth;
