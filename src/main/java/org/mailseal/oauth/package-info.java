// SPDX-License-Identifier: Apache-2.0
/**
 * OAuth 2.0 for relaying through Gmail or Microsoft 365: the refresh-token grant (RFC 6749 §6) that
 * gives {@link org.mailseal.oauth.AccessTokens} short-lived access tokens for XOAUTH2, the refresh
 * token kept in a 0600 file ({@link org.mailseal.oauth.RefreshTokenFile}) and replaced atomically
 * when the endpoint rotates it, and the one-time consent ({@link
 * org.mailseal.oauth.LoopbackAuthorization}: authorization code with PKCE, RFC 7636, redirected to
 * 127.0.0.1, RFC 8252). Tokens and secrets never reach a log line or an exception message.
 */
package org.mailseal.oauth;
