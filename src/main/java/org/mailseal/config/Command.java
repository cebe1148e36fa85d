// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.util.List;

/**
 * A program and its arguments, run without a shell. Its {@link #toString()} names the program only:
 * the arguments may carry a token.
 *
 * @param argv the program, then its arguments; empty for no command
 */
public record Command(List<String> argv) {
  public Command {
    argv = List.copyOf(argv);
  }

  public boolean isEmpty() {
    return argv.isEmpty();
  }

  @Override
  public String toString() {
    return argv.isEmpty() ? "none" : "\"" + argv.get(0) + "\" (+" + (argv.size() - 1) + " args)";
  }
}
