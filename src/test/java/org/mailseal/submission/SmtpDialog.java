// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

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

/**
 * A scripted SMTP client for tests: sends exactly the lines given, reads whole (multi-line)
 * replies, and upgrades to TLS on request, trusting only the server's own certificate.
 */
final class SmtpDialog implements AutoCloseable {
  private final SSLContext trust;
  private Socket socket;
  private BufferedReader in;
  private OutputStream out;

  private SmtpDialog(Socket socket, SSLContext trust) throws IOException {
    this.trust = trust;
    use(socket);
  }

  /** Connects in clear text (the STARTTLS and trusted listeners). */
  static SmtpDialog plain(int port, SSLContext trust) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(15000);
    return new SmtpDialog(s, trust);
  }

  /** Continues on a socket the test connected itself (after a PROXY header, say). */
  static SmtpDialog over(Socket s, SSLContext trust) throws IOException {
    return new SmtpDialog(s, trust);
  }

  /** Connects with TLS from the first byte (the implicit-TLS listener). */
  static SmtpDialog tls(int port, SSLContext trust) throws IOException {
    SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(15000);
    s.startHandshake();
    return new SmtpDialog(s, trust);
  }

  private void use(Socket s) throws IOException {
    socket = s;
    in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    out = s.getOutputStream();
  }

  /** The next reply, all its lines joined with "\n". */
  String reply() throws IOException {
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

  void send(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Sends a command and returns its reply. */
  String command(String line) throws IOException {
    send(line);
    return reply();
  }

  /** Sends a command and asserts the reply starts with {@code expected}. */
  String expect(String line, String expected) throws IOException {
    String r = command(line);
    assertThat(r).as("reply to %s", line).startsWith(expected);
    return r;
  }

  /** Greeting, EHLO, STARTTLS and EHLO again. */
  SmtpDialog startTls() throws IOException {
    assertThat(reply()).startsWith("220");
    expect("EHLO client.test", "250");
    expect("STARTTLS", "220");
    SSLSocket s =
        (SSLSocket)
            trust.getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
    s.setUseClientMode(true);
    s.startHandshake();
    use(s);
    expect("EHLO client.test", "250");
    return this;
  }

  /** AUTH PLAIN with an initial response. */
  String authPlain(String user, String password) throws IOException {
    return command("AUTH PLAIN " + b64("\0" + user + "\0" + password));
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** DATA with the message given (LF or CRLF line endings), dot-stuffed, then the final reply. */
  String data(String message) throws IOException {
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
