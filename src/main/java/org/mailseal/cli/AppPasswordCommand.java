// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.mailseal.auth.AppPassword;
import org.mailseal.auth.AppPasswords;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.User;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailseal users app-password add|list|remove}: named credentials for one device or app
 * each, usable for SMTP AUTH like the main password and revocable one by one. A new one is printed
 * once and stored only as an argon2id hash.
 */
@Command(
    name = "app-password",
    mixinStandardHelpOptions = true,
    description = "Add, list and remove a user's app passwords (one per device or app).",
    subcommands = {
      AppPasswordCommand.Add.class,
      AppPasswordCommand.ListAll.class,
      AppPasswordCommand.Remove.class
    })
final class AppPasswordCommand {
  private AppPasswordCommand() {}

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Make an app password and print it once.")
  static final class Add implements Callable<Integer> {
    @Mixin UsersCommand.FileOption file;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Parameters(index = "1", paramLabel = "NAME", description = "What it is for: phone, laptop…")
    String appName;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      SecureRandom random = new SecureRandom();
      PasswordHasher hasher = new PasswordHasher(random);
      char[][] shown = new char[1][];
      User u =
          UsersCommand.update(
              file,
              email,
              x -> {
                AppPasswords.Issued i =
                    AppPasswords.issue(x, appName, hasher, random, Instant.now());
                shown[0] = i.password();
                return x.withAppPassword(i.credential());
              });
      PrintWriter out = spec.commandLine().getOut();
      out.println("app password " + appName + " for " + u.name() + " (shown only now):");
      out.println(new String(shown[0]));
      out.flush();
      Arrays.fill(shown[0], '\0');
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List a user's app passwords (names and dates, never the passwords).")
  static final class ListAll implements Callable<Integer> {
    @Mixin UsersCommand.FileOption file;

    @Parameters(paramLabel = "EMAIL")
    String email;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      for (AppPassword a : UsersCommand.find(file, email).appPasswords()) {
        out.println(a.name() + "  created=" + a.created());
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Remove an app password; it stops working within a second.")
  static final class Remove implements Callable<Integer> {
    @Mixin UsersCommand.FileOption file;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Parameters(index = "1", paramLabel = "NAME")
    String appName;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      User u =
          UsersCommand.update(
              file,
              email,
              x -> {
                if (x.appPassword(appName).isEmpty()) {
                  throw new IllegalArgumentException(
                      x.name() + " has no app password named " + appName);
                }
                return x.withoutAppPassword(appName);
              });
      spec.commandLine().getOut().println("removed app password " + appName + " of " + u.name());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
