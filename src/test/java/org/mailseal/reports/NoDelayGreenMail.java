// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.imap.ImapHandler;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.server.ProtocolHandler;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;

/**
 * GreenMail's IMAP server on loopback with TCP_NODELAY on each accepted connection, as mail servers
 * set it. GreenMail's own server leaves Nagle on and writes a reply in pieces, so each command's
 * last piece waited for the client's delayed ACK: some 40 ms a command, about 200 ms a session.
 * Same handler, same protocol; only that wait is gone. {@link #port()} stands for {@code
 * getImap().getPort()}, which expects GreenMail's own (final) server class.
 */
final class NoDelayGreenMail extends GreenMail {
  NoDelayGreenMail() {
    super(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
  }

  @Override
  protected Map<String, AbstractServer> createServices(ServerSetup[] config, Managers managers) {
    Map<String, AbstractServer> services = super.createServices(config, managers);
    services.replace(ServerSetup.PROTOCOL_IMAP, new Imap(config[0], managers));
    return services;
  }

  /** The IMAP port, once started. */
  int port() {
    return services.get(ServerSetup.PROTOCOL_IMAP).getPort();
  }

  private static final class Imap extends AbstractServer {
    Imap(ServerSetup setup, Managers managers) {
      super(setup, managers);
    }

    @Override
    protected ProtocolHandler createProtocolHandler(Socket socket) {
      try {
        socket.setTcpNoDelay(true);
      } catch (SocketException e) {
        throw new UncheckedIOException(e);
      }
      return new ImapHandler(managers.getUserManager(), managers.getImapHostManager(), socket);
    }
  }
}
