// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.mailseal.metrics.RelayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Closes sessions that keep the server waiting too long (see {@link Deadline}), with {@code 421
 * 4.4.2}. SubEthaSMTP bounds only each read (a client sending a byte every few seconds keeps a
 * session for as long as it likes); a watchdog thread checks every open session a few times a
 * second, and for one past its deadline writes the reply and closes the connection from a separate
 * thread, which wakes the session's blocked read. A session whose socket does not close (a client
 * that no longer reads our replies) is closed hard {@link #HARD_CLOSE_NANOS} later.
 *
 * <p>Call order: {@link #tracking} and {@link #install} while building the listeners, {@link
 * #start()}, then {@link #close()} once.
 */
final class Deadlines implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Deadlines.class);
  static final long HARD_CLOSE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Deadline.Rules rules;
  private final RelayMetrics metrics;
  private final long tickNanos;
  private final Map<Session, Tracked> open = new ConcurrentHashMap<>();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(daemon("smtp-deadlines"));
  private final ExecutorService closers = Executors.newCachedThreadPool(daemon("smtp-closer"));

  private static final class Tracked {
    final Deadline deadline;
    long expiredAt = -1;
    boolean closedHard;

    Tracked(Deadline deadline) {
      this.deadline = deadline;
    }
  }

  Deadlines(Deadline.Rules rules, RelayMetrics metrics) {
    this.rules = rules;
    this.metrics = metrics;
    long shortest =
        Math.min(
            Math.min(rules.commandNanos(), rules.messageNanos()),
            Math.min(rules.lifeNanos(), Math.max(rules.graceNanos(), 1)));
    this.tickNanos =
        Math.max(
            TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(1), shortest / 8));
  }

  void start() {
    ticker.scheduleWithFixedDelay(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
  }

  /** The deadline of {@code session}; an untracked one (that no one expires) if it is not open. */
  Deadline of(Session session) {
    Tracked t = open.get(session);
    return t != null ? t.deadline : new Deadline(rules, System.nanoTime());
  }

  /** Starts a deadline for each session {@code inner} accepts, and ends it with the session. */
  SessionHandler tracking(SessionHandler inner) {
    return new SessionHandler() {
      @Override
      public SessionAcceptance accept(Session session) {
        SessionAcceptance a = inner.accept(session);
        if (a.accepted()) {
          open.put(session, new Tracked(new Deadline(rules, System.nanoTime())));
        }
        return a;
      }

      @Override
      public void onSessionEnd(Session session) {
        open.remove(session);
        inner.onSessionEnd(session);
      }
    };
  }

  /**
   * Wraps every verb of {@code handler} so that a command line's arrival stops its deadline and the
   * end of the command starts the next one. STARTTLS's handshake is waited for like a command line.
   */
  void install(CommandHandler handler) {
    for (String verb : new ArrayList<>(handler.getVerbs())) {
      Command inner = handler.getCommand(verb);
      handler.addCommand(timed(inner, verb.equals("STARTTLS")));
    }
  }

  private Command timed(Command inner, boolean handshake) {
    return new Command() {
      @Override
      public void execute(String line, Session s) throws IOException, DropConnectionException {
        Deadline d = of(s);
        if (!d.working()) {
          return; // out of time: the watchdog is closing the session
        }
        if (handshake) {
          d.awaitCommand(System.nanoTime());
        }
        try {
          inner.execute(line, s);
        } finally {
          d.awaitCommand(System.nanoTime());
        }
      }

      @Override
      public HelpMessage getHelp() throws org.subethamail.smtp.internal.server.CommandException {
        return inner.getHelp();
      }

      @Override
      public String getName() {
        return inner.getName();
      }
    };
  }

  private void tick() {
    try {
      long now = System.nanoTime();
      for (Map.Entry<Session, Tracked> e : open.entrySet()) {
        Session session = e.getKey();
        Tracked t = e.getValue();
        Optional<String> reply = t.deadline.expire(now);
        if (reply.isPresent()) {
          t.expiredAt = now;
          metrics.rejected("421 4.4.2");
          log.info("session too slow client={} reply=\"{}\"", client(session), reply.get());
          closers.execute(() -> closeWith(session, reply.get()));
        } else if (t.expiredAt >= 0 && !t.closedHard && now - t.expiredAt > HARD_CLOSE_NANOS) {
          t.closedHard = true;
          closers.execute(() -> closeHard(session));
        }
      }
    } catch (RuntimeException e) {
      log.error("deadline check failed: {}", e.toString(), e);
    }
  }

  private static void closeWith(Session session, String reply) {
    try {
      session.sendResponse(reply);
    } catch (IOException e) {
      // the client is gone; close all the same
    }
    session.quit();
  }

  private static void closeHard(Session session) {
    try {
      session.getSocket().close();
    } catch (IOException e) {
      log.debug("hard close failed: {}", e.toString());
    }
  }

  private static String client(Session session) {
    InetSocketAddress a = session.getRemoteAddress();
    return a == null ? "?" : a.getAddress().getHostAddress();
  }

  /** Sessions being watched now. */
  int watched() {
    return open.size();
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    closers.shutdownNow();
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
