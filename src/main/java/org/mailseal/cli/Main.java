// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

/** Entry point of {@code mailseal.jar}: runs the picocli command and exits with its status. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(MailsealCommand.commandLine().execute(args));
  }
}
