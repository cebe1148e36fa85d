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
    usageHelpAutoWidth = true,
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:Success.",
      "1:A check found a problem (dns check, spf check, dmarc check, verify, config check).",
      "2:Usage or configuration error.",
      "3:A service it needed could not be reached (DNS server, database, relay).",
      "70:Internal error: a bug; please report it."
    },
    footer = {
      "%nmailseal sendmail exits as sendmail does (64, 65, 67, 75, 77, 78): see its --help.",
      "The configuration: --config, else $MAILSEAL_CONFIG, else ./config/mailseal.yaml when it"
          + " exists, else /etc/mailseal/mailseal.yaml."
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      SignCommand.class,
      VerifyCommand.class,
      KeysCommand.class,
      DnsCommand.class,
      TlsCommand.class,
      ConfigCommand.class,
      SmarthostCommand.class,
      SpfCommand.class,
      DmarcCommand.class,
      QueueCommand.class,
      ServeCommand.class,
      BenchCommand.class,
      UsersCommand.class,
      SendmailCommand.class
    })
public final class MailsealCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line with the project's error handling installed. */
  public static CommandLine commandLine() {
    return commandLine(System.in);
  }

  /** The same, with {@code mailseal sendmail} reading its message from {@code stdin}. */
  static CommandLine commandLine(InputStream stdin) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> cls) throws Exception {
            return cls == SendmailCommand.class
                ? cls.cast(new SendmailCommand(stdin))
                : defaults.create(cls);
          }
        };
    CommandLine cl = new CommandLine(new MailsealCommand(), factory);
    cl.setExecutionExceptionHandler(MailsealCommand::handle);
    // sendmail's own options (-t, -oi, -FCronDaemon…) reach SendmailArgs as they are.
    cl.getSubcommands().get("sendmail").setUnmatchedOptionsArePositionalParams(true);
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
    return CliException.INTERNAL;
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
