// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.ConfigLocation;
import org.mailseal.config.MailsealConfig;
import org.mailseal.records.Rfc2136Updater;
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
    @Option(names = "--config", paramLabel = "FILE", description = ConfigLocation.HELP)
    Path file;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Path found = ConfigLocation.find(file);
      MailsealConfig c;
      try {
        c = Configs.loadForServe(found); // every check serve makes before binding, secrets too
      } catch (RelayException e) {
        throw new CliException(e.getMessage());
      }
      // Secrets are read only when used; a TSIG key's is checked here so a typo shows before
      // the first rotation needs it.
      List<String> secrets = new ArrayList<>();
      for (MailsealConfig.DnsUpdate u : c.dnsUpdates().values()) {
        Rfc2136Updater.secretProblem(u.tsig())
            .ifPresent(p -> secrets.add(u.tsig().where() + ": " + p));
      }
      if (!secrets.isEmpty()) {
        throw new CliException(
            "configuration has "
                + secrets.size()
                + (secrets.size() == 1 ? " problem:\n" : " problems:\n")
                + String.join("\n", secrets));
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(found + ": OK");
      Path base = c.server().baseDirectory();
      out.println(
          "  relative paths: under "
              + base
              + (base.equals(ConfigLoader.defaultBase(found))
                  ? " (the directory above the file's)"
                  : " (server.base-directory)"));
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
