// SPDX-License-Identifier: Apache-2.0
/**
 * What tests of several parts share, in one place: {@link org.mailseal.testing.SmtpDialog} (the one
 * SMTP client of the tests), {@link org.mailseal.testing.ScriptedSmtpPeer} (an upstream SMTP server
 * that answers as scripted), {@link org.mailseal.testing.ZoneServer} (a real authoritative DNS
 * server on loopback) and {@link org.mailseal.testing.FakeDnsLookup} (DNS answers without a
 * server), {@link org.mailseal.testing.PostgresServer} (a private PostgreSQL), {@link
 * org.mailseal.testing.MutableClock}, and {@link org.mailseal.testing.Waits} (the one way to wait
 * for a condition). A fixture used by one part's tests alone stays in that part's test package.
 */
package org.mailseal.testing;
