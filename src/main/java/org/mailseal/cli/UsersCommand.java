// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.User;
import org.mailseal.auth.UserStore;
import org.mailseal.auth.UserStoreException;
import org.mailseal.config.ConfigLoader;
import org.mailseal.policy.MailAddress;
import org.mailseal.policy.SenderPattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailseal users …}: who may AUTH, with which password, sending as what. The password is
 * asked at a prompt (twice) or read from standard input, never taken as an argument, and stored
 * only as an argon2id hash. A running server sees changes within a second.
 */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    description = "Add, change, remove and list the users who may send through the relay.",
    subcommands = {
      UsersCommand.Add.class,
      UsersCommand.Passwd.class,
      UsersCommand.Remove.class,
      UsersCommand.ListUsers.class,
      UserAccountCommands.Show.class,
      UserAccountCommands.Admin.class,
      UserAccountCommands.Suspend.class,
      UserAccountCommands.Resume.class,
      AppPasswordCommand.class
    })
final class UsersCommand {
  private UsersCommand() {}

  /** Where the users file is: {@code --users}, or users.file of the configuration. */
  static final class FileOption {
    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file.")
    Path config;

    @Option(
        names = "--users",
        paramLabel = "FILE",
        description = "Users file (default: users.file of the configuration, or var/users.yaml).")
    Path users;

    UserStore open() {
      Path file = users;
      if (file == null) {
        Path c = config != null ? config : ConfigLoader.DEFAULT;
        file =
            config == null && !Files.exists(c)
                ? Path.of("var/users.yaml")
                : ConfigCommand.load(c).users().file();
      }
      return new UserStore(file, Clock.systemUTC());
    }
  }

  static final class PasswordOption {
    @Option(
        names = "--password-stdin",
        description = "Read the password from the first line of standard input (for scripts).")
    boolean stdin;

    char[] read(PrintWriter out) {
      Console console = System.console();
      if (stdin || console == null) {
        try {
          BufferedReader r =
              new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
          String line = r.readLine();
          if (line == null || line.isEmpty()) {
            throw new CliException("no password on standard input");
          }
          return line.toCharArray();
        } catch (IOException e) {
          throw new CliException("cannot read the password: " + e.getMessage());
        }
      }
      char[] a = console.readPassword("Password: ");
      char[] b = console.readPassword("Password again: ");
      if (a == null || b == null || a.length == 0) {
        throw new CliException("no password given");
      }
      if (!Arrays.equals(a, b)) {
        Arrays.fill(a, '\0');
        Arrays.fill(b, '\0');
        throw new CliException("the passwords differ");
      }
      Arrays.fill(b, '\0');
      return a;
    }
  }

  /** Changes one user in the file; a missing user or a refused change is a one-line error. */
  static User update(FileOption file, String email, java.util.function.UnaryOperator<User> f) {
    String n = name(email);
    try {
      return file.open().update(n, f).orElseThrow(() -> new CliException("no user " + n));
    } catch (UserStoreException e) {
      throw new CliException(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  /** The user as the file says now. */
  static User find(FileOption file, String email) {
    String n = name(email);
    try {
      User u = file.open().load().get(n);
      if (u == null) {
        throw new CliException("no user " + n);
      }
      return u;
    } catch (UserStoreException e) {
      throw new CliException(e.getMessage());
    }
  }

  static String name(String text) {
    try {
      return MailAddress.parse(text).address();
    } catch (MailAddress.Invalid e) {
      throw new CliException("not a user name (an email address): " + text + ": " + e.getMessage());
    }
  }

  static String hash(char[] password) {
    if (password.length < 8) {
      Arrays.fill(password, '\0');
      throw new CliException("the password must have at least 8 characters");
    }
    try {
      return new PasswordHasher(new SecureRandom()).hash(password);
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Add a user (asks for the password).")
  static final class Add implements Callable<Integer> {
    @Mixin FileOption file;
    @Mixin PasswordOption password;

    @Parameters(paramLabel = "EMAIL", description = "The login name, the user's address.")
    String email;

    @Option(
        names = "--allow",
        paramLabel = "SENDERS",
        split = ",",
        description = "Senders the user may use: addresses, domains, *.domain (default: EMAIL).")
    List<String> allow;

    @Option(
        names = "--admin",
        description = "The user may use the owner's dashboard (default: no).")
    boolean admin;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String n = name(email);
      List<SenderPattern> patterns = new ArrayList<>();
      try {
        for (String a : allow == null ? List.of(n) : allow) {
          patterns.add(SenderPattern.parse(a));
        }
      } catch (IllegalArgumentException e) {
        throw new CliException("--allow: " + e.getMessage());
      }
      UserStore store = file.open();
      try {
        if (store.load().containsKey(n)) {
          throw new CliException(n + " already exists; use users passwd to change the password");
        }
        PrintWriter out = spec.commandLine().getOut();
        store.put(new User(n, hash(password.read(out)), patterns).withAdmin(admin));
        out.println(
            "added "
                + n
                + (admin ? " (admin)" : "")
                + " allowed "
                + patterns
                + " in "
                + store.file());
        out.flush();
      } catch (UserStoreException e) {
        throw new CliException(e.getMessage());
      }
      return 0;
    }
  }

  @Command(
      name = "passwd",
      mixinStandardHelpOptions = true,
      description = "Change a user's password.")
  static final class Passwd implements Callable<Integer> {
    @Mixin FileOption file;
    @Mixin PasswordOption password;

    @Parameters(paramLabel = "EMAIL")
    String email;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String n = name(email);
      UserStore store = file.open();
      try {
        if (!store.load().containsKey(n)) {
          throw new CliException("no user " + n);
        }
        PrintWriter out = spec.commandLine().getOut();
        String hash = hash(password.read(out));
        Instant now = Instant.now();
        Optional<User> u = store.update(n, x -> x.withPassword(hash, now));
        out.println(
            "password changed for "
                + n
                + " (credential version "
                + u.orElseThrow(() -> new CliException("no user " + n)).credentialVersion()
                + "; app passwords unchanged)");
        out.flush();
      } catch (UserStoreException e) {
        throw new CliException(e.getMessage());
      }
      return 0;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user.")
  static final class Remove implements Callable<Integer> {
    @Mixin FileOption file;

    @Parameters(paramLabel = "EMAIL")
    String email;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String n = name(email);
      try {
        if (!file.open().remove(n)) {
          throw new CliException("no user " + n);
        }
      } catch (UserStoreException e) {
        throw new CliException(e.getMessage());
      }
      spec.commandLine().getOut().println("removed " + n);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List users and what they may send as.")
  static final class ListUsers implements Callable<Integer> {
    @Mixin FileOption file;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try {
        for (User u : file.open().load().values()) {
          out.println(
              u.name()
                  + "  allow="
                  + u.allowed()
                  + (u.admin() ? "  admin" : "")
                  + (u.appPasswords().isEmpty() ? "" : "  app-passwords=" + u.appPasswords().size())
                  + (u.suspended().isPresent() ? "  SUSPENDED" : ""));
        }
      } catch (UserStoreException e) {
        throw new CliException(e.getMessage());
      }
      out.flush();
      return 0;
    }
  }
}
