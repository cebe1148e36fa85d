// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.relay.Configs;
import org.mailseal.relay.QueueOperations;
import org.mailseal.relay.RelayException;
import org.mailseal.spool.ControlRequest;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolControl;
import org.mailseal.spool.SpoolEntry;
import org.mailseal.spool.SpoolException;
import org.mailseal.spool.SpoolOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailseal queue …}: the spool, while the server runs or not. Reads never disturb a running
 * server; changes go through the spool's control directory when the server holds the spool, or
 * straight to the spool when it does not.
 */
@Command(
    name = "queue",
    mixinStandardHelpOptions = true,
    description = "List, show, retry, bounce and delete queued messages.",
    subcommands = {
      QueueCommand.ListQueue.class,
      QueueCommand.Show.class,
      QueueCommand.Retry.class,
      QueueCommand.Bounce.class,
      QueueCommand.Delete.class
    })
final class QueueCommand {
  private QueueCommand() {}

  /** Where the spool is: {@code --spool-dir}, or spool.directory of the configuration. */
  static final class SpoolOptionsMixin {
    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file.")
    Path config;

    @Option(names = "--spool-dir", paramLabel = "DIR", description = "Spool directory.")
    Path spoolDir;

    Path directory() throws RelayException {
      if (spoolDir != null) {
        return spoolDir;
      }
      Path file = config != null ? config : ConfigLoader.DEFAULT;
      if (config == null && !java.nio.file.Files.exists(file)) {
        return Path.of("var/spool");
      }
      return Configs.load(file).spool().directory();
    }
  }

  static QueueId id(String text) {
    try {
      return QueueId.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException("not a queue id: " + text);
    }
  }

  static List<SpoolEntry> scan(Path dir) {
    try {
      return Spool.scan(dir);
    } catch (SpoolException e) {
      throw new CliException(e.getMessage());
    }
  }

  /** Applies {@code request} now, or asks the running server to, and returns its answer. */
  static String change(Path dir, ControlRequest request) {
    try (Spool spool =
        Spool.open(dir, Clock.systemUTC(), SpoolOptions.defaults(new SecureRandom()))) {
      return request.applyTo(spool);
    } catch (SpoolException.Locked e) {
      return askServer(dir, request);
    } catch (SpoolException e) {
      throw new CliException(e.getMessage());
    }
  }

  private static String askServer(Path dir, ControlRequest request) {
    try {
      Path file = SpoolControl.submit(dir, request, new SecureRandom());
      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      while (Instant.now().isBefore(deadline)) {
        Optional<String> reply = SpoolControl.reply(file);
        if (reply.isPresent()) {
          return reply.get();
        }
        Thread.sleep(100); // the server applies requests on its own schedule
      }
      throw new CliException(
          "the running server did not answer within 30 s; the request stays in " + file, 1);
    } catch (SpoolException e) {
      throw new CliException(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", 1);
    }
  }

  static String age(SpoolEntry e) {
    Duration d = Duration.between(e.accepted(), Instant.now());
    return d.toDays() > 0
        ? d.toDays() + "d"
        : d.toHours() > 0 ? d.toHours() + "h" : d.toMinutes() + "m";
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List queued messages.")
  static final class ListQueue implements Callable<Integer> {
    @Mixin SpoolOptionsMixin where;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      List<SpoolEntry> entries = scan(where.directory());
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          String.format(
              "%-16s  %5s  %9s  %8s  %-20s  %s",
              "ID", "AGE", "SIZE", "ATTEMPTS", "NEXT", "SENDER -> RECIPIENTS"));
      for (SpoolEntry e : entries) {
        out.println(
            String.format(
                "%-16s  %5s  %9d  %8d  %-20s  <%s> -> %s",
                e.id().value(),
                age(e),
                e.size(),
                e.attempts(),
                e.nextAttempt().truncatedTo(ChronoUnit.SECONDS),
                e.sender(),
                e.recipients().stream()
                    .map(
                        r ->
                            r.address()
                                + (r.state().name().equals("PENDING")
                                    ? ""
                                    : " (" + r.state() + ")"))
                    .collect(Collectors.joining(", "))));
      }
      out.println(entries.size() + (entries.size() == 1 ? " message" : " messages"));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show one message's envelope and delivery state.")
  static final class Show implements Callable<Integer> {
    @Mixin SpoolOptionsMixin where;

    @Parameters(paramLabel = "ID")
    String id;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      QueueId q = id(id);
      SpoolEntry e =
          scan(where.directory()).stream()
              .filter(x -> x.id().equals(q))
              .findFirst()
              .orElseThrow(() -> new CliException("no queued message " + q.value()));
      PrintWriter out = spec.commandLine().getOut();
      out.println("id:        " + e.id().value());
      out.println("sender:    <" + e.sender() + ">");
      out.println("user:      " + e.authUser());
      out.println("accepted:  " + e.accepted());
      out.println("size:      " + e.size());
      out.println("attempts:  " + e.attempts());
      out.println("next:      " + e.nextAttempt());
      e.recipients()
          .forEach(
              r ->
                  out.println(
                      "recipient: <"
                          + r.address()
                          + "> "
                          + r.state()
                          + (r.lastReply().isEmpty() ? "" : " \"" + r.lastReply() + "\"")));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "retry",
      mixinStandardHelpOptions = true,
      description = "Make a message (or all) due now.")
  static final class Retry implements Callable<Integer> {
    @Mixin SpoolOptionsMixin where;

    static final class Which {
      @Parameters(paramLabel = "ID")
      String id;

      @Option(names = "--all", description = "Every queued message.")
      boolean all;
    }

    @ArgGroup(multiplicity = "1")
    Which which;

    @Option(
        names = "--wait",
        paramLabel = "DURATION",
        arity = "0..1",
        fallbackValue = "10m",
        converter = Durations.class,
        description = {
          "Wait (at most DURATION, 10m if not given) until the running server has tried every",
          "message, showing progress on stderr; exit 1 if any is still queued."
        })
    Duration wait;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ControlRequest request =
          which.all ? new ControlRequest.RetryAll() : new ControlRequest.RetryNow(id(which.id));
      Path dir = where.directory();
      Map<QueueId, Integer> before = new HashMap<>();
      scan(dir).stream()
          .filter(e -> which.all || e.id().value().equals(which.id))
          .forEach(e -> before.put(e.id(), e.attempts()));
      spec.commandLine().getOut().println(change(dir, request));
      spec.commandLine().getOut().flush();
      if (wait == null || before.isEmpty()) {
        return 0;
      }
      return watch(dir, before, wait, spec.commandLine().getErr());
    }

    /**
     * Polls the spool until every message of {@code before} has left it or has been attempted
     * again, printing a progress line at most once a second.
     */
    private static int watch(
        Path dir, Map<QueueId, Integer> before, Duration limit, PrintWriter err) {
      Instant deadline = Instant.now().plus(limit);
      Instant nextLine = Instant.EPOCH;
      int total = before.size();
      while (true) {
        Map<QueueId, SpoolEntry> now = new HashMap<>();
        scan(dir).forEach(e -> now.put(e.id(), e));
        int left = 0;
        int deferred = 0;
        for (Map.Entry<QueueId, Integer> b : before.entrySet()) {
          SpoolEntry e = now.get(b.getKey());
          if (e == null) {
            left++;
          } else if (e.attempts() > b.getValue()) {
            deferred++;
          }
        }
        int tried = left + deferred;
        boolean done = tried == total;
        if (done || !Instant.now().isBefore(nextLine)) {
          err.printf(
              "retry: %d of %d tried (%d left the queue, %d deferred again)%n",
              tried, total, left, deferred);
          err.flush();
          nextLine = Instant.now().plusSeconds(1);
        }
        if (done) {
          return deferred == 0 ? 0 : CliException.CHECK_FAILED;
        }
        if (!Instant.now().isBefore(deadline)) {
          err.printf(
              "retry: %d not tried within %s; is the server running?%n", total - tried, limit);
          err.flush();
          return CliException.CHECK_FAILED;
        }
        try {
          Thread.sleep(200); // polling the spool directory of another process
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return CliException.CHECK_FAILED;
        }
      }
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete a message from the queue, undelivered.")
  static final class Delete implements Callable<Integer> {
    @Mixin SpoolOptionsMixin where;

    @Parameters(paramLabel = "ID")
    String id;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      spec.commandLine()
          .getOut()
          .println(change(where.directory(), new ControlRequest.Remove(id(id))));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(
      name = "bounce",
      mixinStandardHelpOptions = true,
      description = {
        "Fail every pending recipient of a message now and send its sender the DSN.",
        "While the server runs, it does this on its next delivery pass. Without a server, the"
            + " DSN is signed with the keys of the configuration and queued; with only"
            + " --spool-dir, the message is marked and the server bounces it when it starts."
      })
  static final class Bounce implements Callable<Integer> {
    @Mixin SpoolOptionsMixin where;

    @Parameters(paramLabel = "ID")
    String id;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      QueueId q = id(id);
      Path dir = where.directory();
      Optional<MailsealConfig> config = configForSigning();
      String result;
      if (config.isEmpty()) {
        result = change(dir, new ControlRequest.Bounce(q));
      } else {
        try (Spool spool =
            Spool.open(dir, Clock.systemUTC(), SpoolOptions.defaults(new SecureRandom()))) {
          result = QueueOperations.bounce(spool, q, config.get(), Clock.systemUTC()).text();
        } catch (SpoolException.Locked e) {
          result = change(dir, new ControlRequest.Bounce(q));
        } catch (SpoolException | KeyStoreException e) {
          throw new CliException(e.getMessage());
        }
      }
      spec.commandLine().getOut().println(result);
      spec.commandLine().getOut().flush();
      return result.startsWith("error") ? 1 : 0;
    }

    private Optional<MailsealConfig> configForSigning() throws RelayException {
      if (where.spoolDir != null && where.config == null) {
        return Optional.empty();
      }
      Path file = where.config != null ? where.config : ConfigLoader.DEFAULT;
      if (!java.nio.file.Files.exists(file)) {
        return Optional.empty();
      }
      return Optional.of(Configs.load(file));
    }
  }
}
