// SPDX-License-Identifier: Apache-2.0
package org.mailseal.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The SMTP client of every test that speaks to a submission listener, in process or in the {@code
 * serve} process: sends exactly the lines given (nothing is pipelined or fixed up unless the test
 * does it), reads whole (multi-line) replies, and upgrades to TLS on request, trusting only what
 * the test gives (the server's own certificate).
 */
public final class SmtpDialog implements AutoCloseable {
  private final SSLSocketFactory trust;
  private Socket socket;
  private BufferedReader in;
  private OutputStream out;

  private SmtpDialog(Socket socket, SSLSocketFactory trust) throws IOException {
    this.trust = trust;
    use(socket);
  }

  /** Connects in clear text to 127.0.0.1 (the STARTTLS and trusted listeners). */
  public static SmtpDialog plain(int port, SSLSocketFactory trust) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(15000);
    return new SmtpDialog(s, trust);
  }

  public static SmtpDialog plain(int port, SSLContext trust) throws IOException {
    return plain(port, trust.getSocketFactory());
  }

  /** Continues on a socket the test connected itself (after a PROXY header, say). */
  public static SmtpDialog over(Socket s, SSLContext trust) throws IOException {
    return new SmtpDialog(s, trust.getSocketFactory());
  }

  /** Connects with TLS from the first byte (the implicit-TLS listener). */
  public static SmtpDialog tls(int port, SSLContext trust) throws IOException {
    SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(15000);
    s.startHandshake();
    return new SmtpDialog(s, trust.getSocketFactory());
  }

  private void use(Socket s) throws IOException {
    // Each command is one write: without this, Nagle holds a write (a TLS handshake's last flight,
    // the command after it) for the server's delayed ACK, and a dialog often waits 40 ms for
    // nothing.
    s.setTcpNoDelay(true);
    socket = s;
    in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    out = s.getOutputStream();
  }

  /** The next reply, all its lines joined with "\n"; {@code <closed>} when the server closed. */
  public String reply() throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = in.readLine();
      if (line == null) {
        return lines.isEmpty() ? "<closed>" : String.join("\n", lines);
      }
      lines.add(line);
      if (line.length() < 4 || line.charAt(3) != '-') {
        return String.join("\n", lines);
      }
    }
  }

  /** Sends {@code line} and CRLF. */
  public void send(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Sends {@code text} as it is (UTF-8), say the middle of a message after DATA. */
  public void sendRaw(String text) throws IOException {
    sendRaw(text.getBytes(StandardCharsets.UTF_8));
  }

  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends a command and returns its reply. */
  public String command(String line) throws IOException {
    send(line);
    return reply();
  }

  /** Sends a command and asserts the reply starts with {@code expected}. */
  public String expect(String line, String expected) throws IOException {
    String r = command(line);
    assertThat(r).as("reply to %s", line).startsWith(expected);
    return r;
  }

  /** Greeting, EHLO, STARTTLS and EHLO again. */
  public SmtpDialog startTls() throws IOException {
    assertThat(reply()).startsWith("220");
    expect("EHLO client.test", "250");
    expect("STARTTLS", "220");
    SSLSocket s = (SSLSocket) trust.createSocket(socket, "127.0.0.1", socket.getPort(), true);
    s.setUseClientMode(true);
    s.startHandshake();
    use(s);
    expect("EHLO client.test", "250");
    return this;
  }

  /** AUTH PLAIN with an initial response. */
  public String authPlain(String user, String password) throws IOException {
    return command("AUTH PLAIN " + b64("\0" + user + "\0" + password));
  }

  public static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** DATA with the message given (LF or CRLF line endings), dot-stuffed, then the final reply. */
  public String data(String message) throws IOException {
    String r = command("DATA");
    if (!r.startsWith("354")) {
      return r;
    }
    StringBuilder sb = new StringBuilder();
    for (String line : message.replace("\r\n", "\n").split("\n", -1)) {
      sb.append(line.startsWith(".") ? "." + line : line).append("\r\n");
    }
    sb.append(".\r\n");
    sendRaw(sb.toString().getBytes(StandardCharsets.UTF_8));
    return reply();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
