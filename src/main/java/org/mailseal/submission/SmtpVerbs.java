// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandHandler;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.internal.util.SMTPResponseHelper;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

/**
 * Our implementations of the SMTP verbs whose SubEthaSMTP 7.2 replies carry no RFC 3463 enhanced
 * status code, and an EHLO that advertises what the server really does: PIPELINING (SubEthaSMTP
 * reads commands from a buffered stream, so pipelined commands are answered in order) and
 * ENHANCEDSTATUSCODES (RFC 2034: every reply but the greeting and EHLO/HELO then carries one).
 *
 * <p>SubEthaSMTP's builder has no hook for its command set, but a built server's {@link
 * CommandHandler} replaces a command by name, so {@link #install} swaps ours in before the server
 * starts. DATA reads the message through {@link DotData} (SubEthaSMTP's streams pass it one byte at
 * a time through three layers, which cost a sixth of the server's CPU under load); BDAT reads its
 * chunks through {@link ChunkedData}. Both answer the sequence errors first. What stays
 * SubEthaSMTP's: {@code 500} for an unknown verb on the first line of a session (later ones are
 * answered by {@link CommandLines}), HELO and HELP.
 */
final class SmtpVerbs {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SmtpVerbs.class);

  private SmtpVerbs() {}

  /** Replaces the verbs of {@code server}; call after {@code build()}, before {@code start()}. */
  static void install(SMTPServer server, java.time.Duration dataTimeout, Deadlines deadlines) {
    int dataMillis = (int) Math.min(Integer.MAX_VALUE, dataTimeout.toMillis());
    CommandHandler h = server.getCommandHandler();
    h.addCommand(new Ehlo());
    h.addCommand(gated(new Auth(deadlines), true, false));
    h.addCommand(gated(new Mail(), true, true));
    h.addCommand(gated(new Rcpt(), true, true));
    h.addCommand(gated(new Sequenced("DATA", new Data(deadlines), dataMillis), true, true));
    h.addCommand(gated(new Sequenced("BDAT", new Bdat(deadlines), dataMillis), true, true));
    h.addCommand(gated(new Fixed("RSET", "250 2.0.0 Ok", true), true, false));
    h.addCommand(new Fixed("NOOP", "250 2.0.0 Ok", false));
    h.addCommand(new Quit());
    h.addCommand(new StartTls());
    // RFC 5321 §3.5.3: VRFY may decline; we never confirm whether an address exists.
    h.addCommand(
        new Fixed("VRFY", "252 2.5.2 Cannot VRFY; send the message and we will try", false));
    h.addCommand(new Fixed("EXPN", "502 5.5.1 EXPN is disabled", false));
    deadlines.install(h);
    screenLongLines(h);
  }

  /**
   * After each verb, reads the next command line ahead (see {@link CommandLines}) and runs a long
   * AUTH line here, as SubEthaSMTP's reader would refuse it.
   */
  private static void screenLongLines(CommandHandler h) {
    Command auth = h.getCommand("AUTH");
    java.util.Set<String> verbs = java.util.Set.copyOf(h.getVerbs());
    for (String verb : verbs) {
      Command inner = h.getCommand(verb);
      h.addCommand(
          new Command() {
            @Override
            public void execute(String line, Session s)
                throws IOException, DropConnectionException {
              inner.execute(line, s);
              Optional<String> longAuth = CommandLines.screen(s, verbs);
              while (longAuth.isPresent()) {
                auth.execute(longAuth.get(), s);
                longAuth = CommandLines.screen(s, verbs);
              }
            }

            @Override
            public HelpMessage getHelp()
                throws org.subethamail.smtp.internal.server.CommandException {
              return inner.getHelp();
            }

            @Override
            public String getName() {
              return inner.getName();
            }
          });
    }
  }

  private static Command gated(Verb inner, boolean tls, boolean auth) {
    return new Verb(inner.name) {
      @Override
      public void execute(String line, Session s) throws IOException, DropConnectionException {
        SMTPServer server = s.getServer();
        if (tls && server.getRequireTLS() && !s.isTLSStarted()) {
          s.sendResponse("530 5.7.0 Must issue a STARTTLS command first");
        } else if (auth && server.getRequireAuth() && !s.isAuthenticated()) {
          s.sendResponse("530 5.7.0 Authentication required");
        } else {
          inner.execute(line, s);
        }
      }
    };
  }

  /** A command by name, with the help text SubEthaSMTP's HELP shows. */
  private abstract static class Verb implements Command {
    final String name;

    Verb(String name) {
      this.name = name;
    }

    @Override
    public HelpMessage getHelp() {
      return new HelpMessage(name, "See RFC 5321.");
    }

    @Override
    public String getName() {
      return name;
    }

    /** The text after the verb, trimmed. */
    static String argument(String line, String verb) {
      return line.length() <= verb.length() ? "" : line.substring(verb.length()).trim();
    }
  }

  /** EHLO: the capabilities this server has, last one on the {@code 250 } line. */
  static final class Ehlo extends Verb {
    Ehlo() {
      super("EHLO");
    }

    @Override
    public void execute(String line, Session s) throws IOException {
      String[] args = line.trim().split(" +");
      if (args.length < 2) {
        s.sendResponse("501 5.5.4 Syntax: EHLO hostname");
        return;
      }
      s.resetMailTransaction();
      s.setHelo(args[1]);
      SMTPServer server = s.getServer();
      List<String> caps = new ArrayList<>();
      caps.add(server.getHostName());
      caps.add("PIPELINING");
      if (server.getMaxMessageSize() > 0) {
        caps.add("SIZE " + server.getMaxMessageSize());
      }
      caps.add("8BITMIME");
      caps.add("SMTPUTF8");
      caps.add("CHUNKING");
      caps.add("ENHANCEDSTATUSCODES");
      // RFC 3207 §4.2: STARTTLS is not offered once TLS is on.
      if (server.getEnableTLS() && !server.getHideTLS() && !s.isTLSStarted()) {
        caps.add("STARTTLS");
      }
      Optional<AuthenticationHandlerFactory> auth = server.getAuthenticationHandlerFactory();
      if (auth.isPresent() && (s.isTLSStarted() || !server.getRequireTLS())) {
        caps.add("AUTH " + String.join(" ", auth.get().getAuthenticationMechanisms()));
      }
      StringBuilder reply = new StringBuilder();
      for (int i = 0; i < caps.size(); i++) {
        reply.append(i == caps.size() - 1 ? "250 " : "250-").append(caps.get(i));
        if (i < caps.size() - 1) {
          reply.append("\r\n");
        }
      }
      s.sendResponse(reply.toString());
    }
  }

  /** AUTH (RFC 4954), driving the server's authentication handler through its challenges. */
  static final class Auth extends Verb {
    private final Deadlines deadlines;

    Auth(Deadlines deadlines) {
      super("AUTH");
      this.deadlines = deadlines;
    }

    @Override
    public void execute(String line, Session s) throws IOException {
      if (s.isAuthenticated()) {
        s.sendResponse("503 5.5.1 Already authenticated");
        return;
      }
      if (s.isMailTransactionInProgress()) {
        // RFC 4954 §4: AUTH is not permitted during a mail transaction.
        s.sendResponse("503 5.5.1 AUTH not allowed during a mail transaction");
        return;
      }
      Optional<AuthenticationHandlerFactory> factory =
          s.getServer().getAuthenticationHandlerFactory();
      if (factory.isEmpty()) {
        s.sendResponse("502 5.5.1 Authentication is not offered here");
        return;
      }
      String[] args = line.trim().split(" +");
      if (args.length < 2) {
        s.sendResponse("501 5.5.4 Syntax: AUTH mechanism [initial-response]");
        return;
      }
      if (!factory.get().getAuthenticationMechanisms().contains(args[1].toUpperCase(Locale.ROOT))) {
        s.sendResponse(
            "504 5.5.4 Unsupported mechanism; use "
                + String.join(" or ", factory.get().getAuthenticationMechanisms()));
        return;
      }
      AuthenticationHandler handler = factory.get().create();
      try {
        Optional<String> challenge = handler.auth(line, s);
        while (challenge.isPresent()) {
          s.sendResponse(challenge.get());
          Deadline deadline = deadlines.of(s);
          deadline.awaitCommand(System.nanoTime());
          String answer;
          try {
            answer = CommandLines.authResponse(s);
          } catch (CommandLines.LineTooLong e) {
            s.sendResponse("500 5.5.6 Authentication Exchange line is too long");
            return;
          }
          if (answer == null || !deadline.working()) {
            return; // the client went away, or ran out of time
          }
          if (answer.trim().equals("*")) {
            s.sendResponse("501 5.7.0 Authentication canceled");
            return;
          }
          challenge = handler.auth(answer, s);
        }
        s.setAuthenticationHandler(handler);
        s.sendResponse("235 2.7.0 Authentication successful");
      } catch (RejectException e) {
        s.sendResponse(e.getErrorResponse());
        if (e.getErrorResponse().startsWith("421")) {
          s.quit(); // RFC 5321 §3.8: 421 closes the transmission channel (a lockout)
        }
      }
    }
  }

  /** MAIL FROM with the parameters we advertise (SIZE, BODY, SMTPUTF8) and RFC 4954's AUTH=. */
  static final class Mail extends Verb {
    Mail() {
      super("MAIL");
    }

    @Override
    public void execute(String line, Session s) throws IOException, DropConnectionException {
      if (s.isMailTransactionInProgress()) {
        s.sendResponse("503 5.5.1 Sender already specified");
        return;
      }
      Path path = Path.parse(argument(line, "MAIL"), "FROM:");
      if (path == null) {
        s.sendResponse("501 5.5.4 Syntax: MAIL FROM:<address>");
        return;
      }
      long size = 0;
      for (String p : path.parameters()) {
        String key = p.contains("=") ? p.substring(0, p.indexOf('=')) : p;
        String value = p.contains("=") ? p.substring(p.indexOf('=') + 1) : "";
        switch (key.toUpperCase(Locale.ROOT)) {
          case "SIZE":
            if (!value.matches("[0-9]{1,18}")) {
              s.sendResponse("501 5.5.4 SIZE needs a number");
              return;
            }
            size = Long.parseLong(value);
            break;
          case "BODY":
            if (!value.equalsIgnoreCase("7BIT") && !value.equalsIgnoreCase("8BITMIME")) {
              s.sendResponse("501 5.5.4 BODY must be 7BIT or 8BITMIME");
              return;
            }
            break;
          case "SMTPUTF8":
          case "AUTH":
            break;
          default:
            s.sendResponse("555 5.5.4 Unsupported MAIL parameter " + key);
            return;
        }
      }
      int max = s.getServer().getMaxMessageSize();
      if (max > 0 && size > max) {
        s.sendResponse("552 5.3.4 Message size exceeds the limit of " + max + " bytes");
        return;
      }
      s.setDeclaredMessageSize((int) Math.min(Integer.MAX_VALUE, size));
      s.startMailTransaction();
      try {
        s.getMessageHandler().from(path.address());
      } catch (DropConnectionException e) {
        s.resetMailTransaction();
        throw e;
      } catch (RejectException e) {
        s.resetMailTransaction();
        s.sendResponse(e.getErrorResponse());
        return;
      }
      s.sendResponse("250 2.1.0 Ok");
    }
  }

  /** RCPT TO, within the recipient limit. */
  static final class Rcpt extends Verb {
    Rcpt() {
      super("RCPT");
    }

    @Override
    public void execute(String line, Session s) throws IOException, DropConnectionException {
      if (!s.isMailTransactionInProgress()) {
        s.sendResponse("503 5.5.1 Need MAIL before RCPT");
        return;
      }
      int max = s.getServer().getMaxRecipients();
      if (max >= 0 && s.getRecipientCount() >= max) {
        // RFC 5321 §4.5.3.1.10: 452 for too many recipients; the client sends the rest later.
        s.sendResponse("452 4.5.3 Too many recipients; at most " + max + " per message");
        return;
      }
      Path path = Path.parse(argument(line, "RCPT"), "TO:");
      if (path == null) {
        s.sendResponse("501 5.5.4 Syntax: RCPT TO:<address>");
        return;
      }
      if (!path.parameters().isEmpty()) {
        s.sendResponse("555 5.5.4 Unsupported RCPT parameter " + path.parameters().get(0));
        return;
      }
      try {
        s.getMessageHandler().recipient(path.address());
      } catch (DropConnectionException e) {
        throw e;
      } catch (RejectException e) {
        s.sendResponse(e.getErrorResponse());
        return;
      }
      s.addRecipient(path.address());
      s.sendResponse("250 2.1.5 Ok");
    }
  }

  /**
   * DATA and BDAT: the sequence checks with enhanced codes, then SubEthaSMTP's stream handling
   * under the data timeout (SubEthaSMTP has one socket timeout, for commands).
   */
  static final class Sequenced extends Verb {
    private final Command inner;
    private final int dataMillis;

    Sequenced(String name, Command inner, int dataMillis) {
      super(name);
      this.inner = inner;
      this.dataMillis = dataMillis;
    }

    @Override
    public void execute(String line, Session s) throws IOException, DropConnectionException {
      if (!s.isMailTransactionInProgress()) {
        s.sendResponse("503 5.5.1 Need MAIL before " + name);
      } else if (s.getRecipientCount() == 0) {
        s.sendResponse("503 5.5.1 Need RCPT before " + name);
      } else {
        java.net.Socket socket = s.getSocket();
        socket.setSoTimeout(dataMillis);
        try {
          inner.execute(line, s);
          if (name.equals("DATA")) {
            // RFC 5321 §4.1.1.4: DATA's final reply ends the transaction, refused or not;
            // SubEthaSMTP resets only after a 250.
            s.resetMailTransaction();
          }
        } catch (Deadline.Passed e) {
          // Out of time: the watchdog writes 421 4.4.2 and closes the session; nothing was
          // accepted (the deadline stops before a message is used).
          s.resetMailTransaction();
        } catch (java.net.SocketTimeoutException e) {
          // RFC 3463 4.4.2: the connection dropped (here: went silent); nothing was accepted.
          s.sendResponse("421 4.4.2 No message data for too long; closing");
          s.quit();
        } finally {
          if (!socket.isClosed()) {
            socket.setSoTimeout(s.getServer().getConnectionTimeout());
          }
        }
      }
    }
  }

  /**
   * DATA's transfer once the sequence is right: {@code 354}, the message to the session's handler
   * through {@link DotData}, the rest of it read and dropped when the handler stopped early, then
   * the handler's reply.
   */
  static final class Data extends Verb {
    private final Deadlines deadlines;

    Data(Deadlines deadlines) {
      super("DATA");
      this.deadlines = deadlines;
    }

    @Override
    public void execute(String line, Session s) throws IOException, DropConnectionException {
      Deadline deadline = deadlines.of(s);
      s.sendResponse("354 End data with <CR><LF>.<CR><LF>");
      deadline.message(System.nanoTime());
      DotData data = new DotData(s.getRawInput(), BLOCK, deadline);
      String reply;
      try {
        reply = s.getMessageHandler().data(data);
      } catch (RejectException e) {
        data.drain();
        s.sendResponse(e.getErrorResponse());
        return;
      }
      data.drain();
      s.sendResponse(
          reply == null ? "250 2.0.0 Ok" : SMTPResponseHelper.buildResponse("250", reply));
      s.resetMailTransaction();
    }
  }

  /**
   * BDAT's transfer once the sequence is right (RFC 3030): the chunks to the session's handler
   * through {@link ChunkedData}, each but the last answered {@code 250 2.0.0}, then the handler's
   * reply. A malformed BDAT gets {@code 501 5.5.4}; the session goes on.
   */
  static final class Bdat extends Verb {
    private final Deadlines deadlines;

    Bdat(Deadlines deadlines) {
      super("BDAT");
      this.deadlines = deadlines;
    }

    @Override
    public void execute(String line, Session s) throws IOException, DropConnectionException {
      ChunkedData.Chunk first = ChunkedData.Chunk.parse(argument(line, "BDAT"));
      if (first == null) {
        s.sendResponse(ChunkedData.Chunk.SYNTAX);
        return;
      }
      Deadline deadline = deadlines.of(s);
      deadline.message(System.nanoTime());
      ChunkedData data = new ChunkedData(s, first, deadline);
      String reply;
      try {
        try {
          String accepted = s.getMessageHandler().data(data);
          data.drain();
          reply =
              accepted == null ? "250 2.0.0 Ok" : SMTPResponseHelper.buildResponse("250", accepted);
        } catch (RejectException e) {
          data.drain();
          reply = e.getErrorResponse();
        }
      } catch (ChunkedData.Abandoned e) {
        reply = e.reply();
      }
      s.sendResponse(reply);
      s.resetMailTransaction();
    }
  }

  /** Bytes read from the session's buffer at a time: the size of SubEthaSMTP's session buffer. */
  private static final int BLOCK = 8192;

  /** A verb with one fixed reply, optionally ending the mail transaction. */
  static final class Fixed extends Verb {
    private final String reply;
    private final boolean reset;

    Fixed(String name, String reply, boolean reset) {
      super(name);
      this.reply = reply;
      this.reset = reset;
    }

    @Override
    public void execute(String line, Session s) throws IOException {
      if (reset) {
        s.resetMailTransaction();
      }
      s.sendResponse(reply);
    }
  }

  /**
   * STARTTLS (RFC 3207) as SubEthaSMTP does it, with enhanced codes on its replies; the TLS socket
   * comes from the listener's {@code startTlsSocketFactory}.
   */
  static final class StartTls extends Verb {
    StartTls() {
      super("STARTTLS");
    }

    @Override
    public void execute(String line, Session s) throws IOException {
      if (!line.strip().equalsIgnoreCase("STARTTLS")) {
        s.sendResponse("501 5.5.4 Syntax: STARTTLS (no parameters)");
        return;
      }
      if (!s.getServer().getEnableTLS()) {
        s.sendResponse("502 5.5.1 STARTTLS is not offered here");
        return;
      }
      if (s.isTLSStarted() || s.getSocket() instanceof javax.net.ssl.SSLSocket) {
        s.sendResponse("503 5.5.1 TLS already active");
        return;
      }
      s.sendResponse("220 2.0.0 Ready to start TLS");
      try {
        javax.net.ssl.SSLSocket tls = s.getServer().createSSLSocket(s.getSocket());
        tls.startHandshake();
        s.setSocket(tls);
        s.resetSmtpProtocol(); // RFC 3207 §4.2: forget what the client said before
        s.setTlsStarted(true);
      } catch (IOException e) {
        // A failed handshake leaves nothing to answer: the connection is unusable.
        log.debug("starttls failed client={}: {}", s.getRemoteAddress(), e.toString());
        s.quit();
      }
    }
  }

  static final class Quit extends Verb {
    Quit() {
      super("QUIT");
    }

    @Override
    public void execute(String line, Session s) throws IOException {
      s.sendResponse("221 2.0.0 Bye");
      s.quit();
    }
  }

  /**
   * The path and parameters of a MAIL or RCPT argument ({@code FROM:<a@b> SIZE=10}). The address is
   * given to the message handler without its angle brackets; whether it is acceptable (source
   * routes, %-hacks, quoted local parts) is the policy's decision, not the parser's.
   */
  record Path(String address, List<String> parameters) {
    Path {
      parameters = List.copyOf(parameters);
    }

    /** Returns null when {@code argument} does not start with {@code keyword} and a path. */
    static Path parse(String argument, String keyword) {
      if (!argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
        return null;
      }
      String rest = argument.substring(keyword.length()).stripLeading();
      String address;
      String tail;
      if (rest.startsWith("<")) {
        int end = closing(rest);
        if (end < 0) {
          return null;
        }
        address = rest.substring(1, end);
        tail = rest.substring(end + 1);
      } else {
        // Lenient, as many old clients are: a bare address without angle brackets.
        int space = rest.indexOf(' ');
        address = space < 0 ? rest : rest.substring(0, space);
        tail = space < 0 ? "" : rest.substring(space);
        if (address.isEmpty()) {
          return null;
        }
      }
      if (!tail.isEmpty() && !tail.startsWith(" ")) {
        return null;
      }
      List<String> params = new ArrayList<>();
      for (String p : tail.trim().split(" +")) {
        if (!p.isEmpty()) {
          params.add(p);
        }
      }
      return new Path(address, params);
    }

    /** The index of the {@code >} that closes the path, skipping quoted strings; -1 if none. */
    private static int closing(String s) {
      boolean quoted = false;
      for (int i = 1; i < s.length(); i++) {
        char c = s.charAt(i);
        if (quoted && c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = !quoted;
        } else if (c == '>' && !quoted) {
          return i;
        }
      }
      return -1;
    }
  }
}
