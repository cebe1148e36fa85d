// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mailseal.auth.AppPassword;
import org.mailseal.auth.Suspension;
import org.mailseal.auth.User;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailseal users show|admin|suspend|resume}: one user's state. A running server sees each
 * change within a second; a suspension lives in the users file, so it survives restarts.
 */
final class UserAccountCommands {
  private UserAccountCommands() {}

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a user: senders, role, password age, app passwords, limits, suspension.")
  static final class Show implements Callable<Integer> {
    @Mixin UsersCommand.FileOption file;

    @Parameters(paramLabel = "EMAIL")
    String email;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      User u = UsersCommand.find(file, email);
      PrintWriter out = spec.commandLine().getOut();
      out.println("user: " + u.name());
      out.println("allow: " + u.allowed());
      out.println("admin: " + (u.admin() ? "yes" : "no"));
      out.println("credential-version: " + u.credentialVersion());
      out.println(
          "password-changed: " + u.passwordChanged().map(Instant::toString).orElse("unknown"));
      out.println(
          "app-passwords: "
              + (u.appPasswords().isEmpty()
                  ? "none"
                  : u.appPasswords().stream().map(AppPassword::name).toList()));
      out.println(
          "limits: "
              + (u.limits().isEmpty()
                  ? "the global ones (limits: in the configuration)"
                  : u.limits()));
      out.println(
          "suspended: "
              + u.suspended().map(s -> "since " + s.since() + ": " + s.reason()).orElse("no"));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "admin",
      mixinStandardHelpOptions = true,
      description = "Give or take the owner's-dashboard role.")
  static final class Admin implements Callable<Integer> {
    enum OnOff {
      on,
      off
    }

    @Mixin UsersCommand.FileOption file;

    @Parameters(index = "0", paramLabel = "EMAIL")
    String email;

    @Parameters(index = "1", paramLabel = "on|off")
    OnOff state;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      User u = UsersCommand.update(file, email, x -> x.withAdmin(state == OnOff.on));
      spec.commandLine().getOut().println(u.name() + " admin: " + state);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "suspend",
      mixinStandardHelpOptions = true,
      description = "Stop a user from sending until users resume.")
  static final class Suspend implements Callable<Integer> {
    @Mixin UsersCommand.FileOption file;

    @Parameters(paramLabel = "EMAIL")
    String email;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (one line).")
    String reason = "suspended by the administrator";

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      Suspension why;
      try {
        why = new Suspension(Instant.now(), reason);
      } catch (IllegalArgumentException e) {
        throw new CliException("--reason: " + e.getMessage());
      }
      User u = UsersCommand.update(file, email, x -> x.withSuspension(Optional.of(why)));
      spec.commandLine().getOut().println("suspended " + u.name() + ": " + reason);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Let a suspended user send again (their limit counts start afresh).")
  static final class Resume implements Callable<Integer> {
    @Mixin UsersCommand.FileOption file;

    @Parameters(paramLabel = "EMAIL")
    String email;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      boolean[] was = new boolean[1];
      User u =
          UsersCommand.update(
              file,
              email,
              x -> {
                was[0] = x.suspended().isPresent();
                return x.withSuspension(Optional.empty());
              });
      spec.commandLine()
          .getOut()
          .println(was[0] ? "resumed " + u.name() : u.name() + " was not suspended");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
