// SPDX-License-Identifier: Apache-2.0
/**
 * The {@code mailseal} command line (picocli), faces only: parse the arguments, call {@code relay}
 * or a part, print, choose the exit status. Expected failures are {@link
 * org.mailseal.cli.CliException}s and {@code relay.RelayException}s: one line on standard error and
 * a non-zero exit, never a stack trace. No command builds what {@code relay} builds; nothing
 * depends on this package.
 */
package org.mailseal.cli;
