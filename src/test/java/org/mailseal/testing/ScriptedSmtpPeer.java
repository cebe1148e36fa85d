// SPDX-License-Identifier: Apache-2.0
package org.mailseal.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An upstream SMTP server for tests that answers the greeting, RCPT and DATA as scripted (4xx, 5xx,
 * per recipient), over implicit TLS or plain with the server socket it is given, optionally
 * offering STARTTLS. Records every transaction it accepted. Serves connections one after another on
 * one thread until closed.
 */
public final class ScriptedSmtpPeer implements AutoCloseable {
  /** What the peer accepted: envelope, data, and whether the session had switched to TLS. */
  public record Received(String from, List<String> to, String data, boolean tls) {}

  private final ServerSocket server;
  private final Thread thread;
  public final List<Received> received = new CopyOnWriteArrayList<>();
  public final Map<String, Integer> connections = new ConcurrentHashMap<>();

  /** Every command line received, in order, over all connections. */
  public final List<String> commands = new CopyOnWriteArrayList<>();

  /** When set, the peer closes the connection right after its reply to the next DATA. */
  public final java.util.concurrent.atomic.AtomicBoolean closeAfterData =
      new java.util.concurrent.atomic.AtomicBoolean();

  private volatile Function<String, String> rcptReply = r -> "250 2.1.5 ok";
  private volatile String dataReply = "250 2.0.0 queued";
  private volatile String greeting = "220 peer.test ESMTP";
  private volatile Function<Socket, Socket> startTls;

  public ScriptedSmtpPeer(ServerSocket unbound) throws IOException {
    this(unbound, 0);
  }

  /** Binds {@code unbound} to 127.0.0.1:{@code port} (0 for any free port) and starts serving. */
  public ScriptedSmtpPeer(ServerSocket unbound, int port) throws IOException {
    this(unbound, InetAddress.getLoopbackAddress(), port);
  }

  /** Binds {@code unbound} to {@code address}:{@code port} and starts serving. */
  public ScriptedSmtpPeer(ServerSocket unbound, InetAddress address, int port) throws IOException {
    this.server = unbound;
    server.bind(new java.net.InetSocketAddress(address, port));
    thread = new Thread(this::serve, "scripted-smtp-peer");
    thread.setDaemon(true);
    thread.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  public void onRcpt(Function<String, String> reply) {
    rcptReply = reply;
  }

  public void onData(String reply) {
    dataReply = reply;
  }

  public void greeting(String reply) {
    greeting = reply;
  }

  /** Offers STARTTLS and switches the socket with {@code wrap} (server mode) when asked. */
  public void offerStartTls(Function<Socket, Socket> wrap) {
    startTls = wrap;
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        connections.merge("total", 1, Integer::sum);
        session(s);
      } catch (IOException e) {
        // next connection, or closed
      }
    }
  }

  private void session(Socket plain) throws IOException {
    Socket s = plain;
    boolean tls = false;
    BufferedReader in =
        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    OutputStream out = s.getOutputStream();
    write(out, greeting);
    if (!greeting.startsWith("2")) {
      return;
    }
    String from = null;
    List<String> to = new CopyOnWriteArrayList<>();
    String line;
    while ((line = in.readLine()) != null) {
      commands.add(line);
      String u = line.toUpperCase(java.util.Locale.ROOT);
      if (u.startsWith("EHLO")) {
        write(
            out,
            "250-peer.test\r\n250-PIPELINING\r\n"
                + (startTls != null && !tls ? "250-STARTTLS\r\n" : "")
                + "250 8BITMIME");
      } else if (u.equals("STARTTLS") && startTls != null && !tls) {
        write(out, "220 2.0.0 go ahead");
        s = startTls.apply(s);
        tls = true;
        in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        out = s.getOutputStream();
      } else if (u.startsWith("MAIL FROM:")) {
        from = line.substring(10).trim();
        to.clear();
        write(out, "250 2.1.0 ok");
      } else if (u.startsWith("RCPT TO:")) {
        String rcpt = line.substring(8).trim().replaceAll("^<|>$", "");
        String r = rcptReply.apply(rcpt);
        if (r.startsWith("2")) {
          to.add(rcpt);
        }
        write(out, r);
      } else if (u.equals("DATA")) {
        write(out, "354 go");
        StringBuilder data = new StringBuilder();
        String l;
        while ((l = in.readLine()) != null && !l.equals(".")) {
          data.append(l.startsWith(".") ? l.substring(1) : l).append("\r\n");
        }
        String r = dataReply;
        if (r.startsWith("2")) {
          received.add(new Received(from, List.copyOf(to), data.toString(), tls));
        }
        write(out, r);
        if (closeAfterData.getAndSet(false)) {
          return; // the caller's try-with-resources closes the socket
        }
      } else if (u.equals("RSET") || u.equals("NOOP")) {
        write(out, "250 2.0.0 ok");
      } else if (u.equals("QUIT")) {
        write(out, "221 2.0.0 bye");
        return;
      } else {
        write(out, "502 5.5.2 not scripted");
      }
    }
  }

  private static void write(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
