// SPDX-License-Identifier: Apache-2.0
/**
 * The {@code mailseal} command line (picocli). Expected failures are {@link
 * org.mailseal.cli.CliException}s: one line on standard error and a non-zero exit, never a stack
 * trace. Nothing else depends on this package.
 */
package org.mailseal.cli;
