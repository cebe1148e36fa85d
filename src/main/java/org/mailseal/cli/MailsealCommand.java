// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.mailseal.relay.RelayException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mailseal} command. Each part's commands are subcommands; expected failures surface as
 * {@link CliException} and print one line, never a stack trace.
 */
@Command(
    name = "mailseal",
    mixinStandardHelpOptions = true,
    versionProvider = MailsealCommand.Version.class,
    description = "Outbound DKIM-signing SMTP relay.",
    subcommands = {
      CommandLine.HelpCommand.class,
      SignCommand.class,
      VerifyCommand.class,
      KeysCommand.class,
      DnsCommand.class,
      ConfigCommand.class,
      SmarthostCommand.class,
      SpfCommand.class,
      DmarcCommand.class,
      QueueCommand.class,
      ServeCommand.class,
      BenchCommand.class,
      UsersCommand.class
    })
public final class MailsealCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line with the project's error handling installed. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new MailsealCommand());
    cl.setExecutionExceptionHandler(MailsealCommand::handle);
    return cl;
  }

  private static int handle(
      Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (ex instanceof CliException cli) {
      err.println("mailseal: " + cli.getMessage());
      err.flush();
      return cli.exitCode();
    }
    if (ex instanceof RelayException relay) {
      err.println("mailseal: " + relay.getMessage());
      err.flush();
      return relay.kind() == RelayException.Kind.UNAVAILABLE
          ? CliException.UNAVAILABLE
          : CliException.USAGE;
    }
    // A programming error: one line naming the type, so the user can report it; no stack trace.
    err.println(
        "mailseal: internal error: "
            + ex.getClass().getSimpleName()
            + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
    err.flush();
    return 70; // EX_SOFTWARE
  }

  /** Reads the version Maven filtered into {@code mailseal-version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in =
          MailsealCommand.class.getResourceAsStream("/mailseal-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {"mailseal " + p.getProperty("version", "unknown")};
    }
  }
}
