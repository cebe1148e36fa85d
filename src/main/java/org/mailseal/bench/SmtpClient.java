// SPDX-License-Identifier: Apache-2.0
package org.mailseal.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import javax.net.ssl.SSLSocket;

/**
 * One client connection: greeting, EHLO, TLS, AUTH PLAIN, then transactions. Replies are read as
 * bytes; only their code and the EHLO keywords matter here. Not thread-safe: one per thread.
 */
final class SmtpClient implements AutoCloseable {
  private static final int TIMEOUT_MILLIS = 60_000;

  /** A reply: its code and the text of its last line. */
  record Reply(int code, String text) {
    boolean positive() {
      return code >= 200 && code < 400;
    }
  }

  /** The server answered something other than what the step needs. */
  static final class UnexpectedReply extends IOException {
    private static final long serialVersionUID = 1L;
    final int code;

    UnexpectedReply(String step, Reply r) {
      super(step + ": " + r.code() + " " + r.text());
      this.code = r.code();
    }
  }

  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private boolean pipelining;

  private SmtpClient() {}

  /** Connects, negotiates TLS and authenticates as the options say. */
  static SmtpClient open(LoadOptions o) throws IOException {
    SmtpClient c = new SmtpClient();
    try {
      Socket plain = new Socket();
      plain.setTcpNoDelay(true);
      plain.setSoTimeout(TIMEOUT_MILLIS);
      plain.connect(new InetSocketAddress(o.host(), o.port()), TIMEOUT_MILLIS);
      c.attach(plain);
      if (o.tls() == LoadOptions.TlsMode.IMPLICIT) {
        c.attach(c.startTls(o, plain));
      }
      c.expect("greeting", 220);
      c.ehlo(o.helo());
      if (o.tls() == LoadOptions.TlsMode.STARTTLS) {
        c.command("STARTTLS");
        c.expect("STARTTLS", 220);
        c.attach(c.startTls(o, plain));
        c.ehlo(o.helo());
      }
      if (o.username().isPresent()) {
        String token =
            Base64.getEncoder()
                .encodeToString(
                    ("\0" + o.username().get() + "\0" + o.password())
                        .getBytes(StandardCharsets.UTF_8));
        c.command("AUTH PLAIN " + token);
        c.expect("AUTH", 235);
      }
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private SSLSocket startTls(LoadOptions o, Socket plain) throws IOException {
    SSLSocket s =
        (SSLSocket) o.tlsFactory().orElseThrow().createSocket(plain, o.host(), o.port(), true);
    s.setUseClientMode(true);
    s.startHandshake();
    return s;
  }

  private void attach(Socket s) throws IOException {
    socket = s;
    in = new BufferedInputStream(s.getInputStream(), 8192);
    out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
  }

  private void ehlo(String helo) throws IOException {
    command("EHLO " + helo);
    pipelining = false;
    for (; ; ) {
      String line = readLine();
      int code = code(line);
      if (code != 250) {
        throw new UnexpectedReply("EHLO", new Reply(code, text(line)));
      }
      if (text(line).toUpperCase(Locale.ROOT).startsWith("PIPELINING")) {
        pipelining = true;
      }
      if (line.length() < 4 || line.charAt(3) != '-') {
        return;
      }
    }
  }

  /**
   * Sends one message: MAIL, RCPT and DATA in one write when the server pipelines, the content,
   * then waits for the final reply.
   *
   * @param timer told when the end of DATA is flushed, and when its reply arrived
   * @return the reply to the end of DATA, or the first failing reply of the envelope
   */
  Reply send(String from, String recipient, byte[] head, byte[] bodyAndEnd, Timer timer)
      throws IOException {
    String mail = "MAIL FROM:<" + from + ">";
    String rcpt = "RCPT TO:<" + recipient + ">";
    Reply first;
    Reply second;
    Reply data;
    if (pipelining) {
      write(mail);
      write(rcpt);
      command("DATA");
      first = readReply();
      second = readReply();
      data = readReply();
    } else {
      command(mail);
      first = readReply();
      if (!first.positive()) {
        return first;
      }
      command(rcpt);
      second = readReply();
      if (!second.positive()) {
        return second;
      }
      command("DATA");
      data = readReply();
    }
    if (data.code() != 354) {
      if (!first.positive()) {
        return first;
      }
      return second.positive() ? data : second;
    }
    out.write(head);
    out.write(bodyAndEnd);
    out.flush();
    long start = System.nanoTime();
    Reply r = readReply();
    timer.record(System.nanoTime() - start);
    return r;
  }

  /** Resets the transaction after a refused envelope. */
  void reset() throws IOException {
    command("RSET");
    readReply();
  }

  void quit() {
    try {
      command("QUIT");
      readReply();
    } catch (IOException e) {
      // the server may close first; nothing to do
    }
  }

  /** Receives latencies in nanoseconds. */
  interface Timer {
    void record(long nanos);
  }

  private void write(String line) throws IOException {
    out.write(line.getBytes(StandardCharsets.US_ASCII));
    out.write('\r');
    out.write('\n');
  }

  private void command(String line) throws IOException {
    write(line);
    out.flush();
  }

  private void expect(String step, int code) throws IOException {
    Reply r = readReply();
    if (r.code() != code) {
      throw new UnexpectedReply(step, r);
    }
  }

  private Reply readReply() throws IOException {
    for (; ; ) {
      String line = readLine();
      if (line.length() < 4 || line.charAt(3) != '-') {
        return new Reply(code(line), text(line));
      }
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(80);
    for (int i = 0; i < 4096; i++) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed by the server");
      }
      if (c == '\n') {
        String s = b.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    throw new IOException("reply line longer than 4096 bytes");
  }

  private static int code(String line) {
    if (line.length() < 3) {
      return 0;
    }
    try {
      return Integer.parseInt(line.substring(0, 3));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String text(String line) {
    return line.length() > 4 ? line.substring(4) : "";
  }

  @Override
  public void close() {
    try {
      if (socket != null) {
        socket.close();
      }
    } catch (IOException e) {
      // closing: nothing left to do
    }
  }
}
