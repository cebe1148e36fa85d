// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mailseal.config.MailsealConfig;
import org.mailseal.relay.Configs;
import org.mailseal.relay.RelayException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mailseal config check}: validates the configuration without starting anything. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Work with the configuration file.",
    subcommands = {ConfigCommand.Check.class})
final class ConfigCommand {
  private ConfigCommand() {}

  /** Loads the file, or prints every problem and exits 2. */
  static MailsealConfig load(Path file) {
    try {
      return Configs.load(file);
    } catch (RelayException e) {
      throw new CliException(e.getMessage());
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Check the configuration; print every problem with its line and key.")
  static final class Check implements Callable<Integer> {
    @Option(
        names = "--config",
        defaultValue = "config/mailseal.yaml",
        paramLabel = "FILE",
        description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path file;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      MailsealConfig c = load(file);
      PrintWriter out = spec.commandLine().getOut();
      out.println(file + ": OK");
      out.println(
          "  listeners: submission "
              + c.listeners().submission().address()
              + ":"
              + c.listeners().submission().port()
              + ", submissions "
              + c.listeners().submissions().address()
              + ":"
              + c.listeners().submissions().port());
      out.println("  route: " + c.delivery().route().tag());
      out.println("  domains: " + String.join(", ", c.domainNames()));
      out.flush();
      return 0;
    }
  }
}
