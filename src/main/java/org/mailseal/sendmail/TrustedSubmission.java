// SPDX-License-Identifier: Apache-2.0
package org.mailseal.sendmail;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Hands a {@link LocalMessage} to the relay's trusted listener with plain SMTP (EHLO, MAIL, RCPT,
 * DATA), and turns each refusal into sendmail's exit status: nothing listening or a 4xx is {@link
 * SendmailException#TEMPFAIL}, a refused sender {@link SendmailException#NO_PERMISSION}, a refused
 * recipient {@link SendmailException#NO_USER}, a refused message {@link SendmailException#DATA} (or
 * NO_PERMISSION when the reason is the header From, 5.7.x).
 */
public final class TrustedSubmission {
  private final InetSocketAddress relay;
  private final String clientName;
  private final Duration timeout;

  /**
   * @param relay the trusted listener's address
   * @param clientName the name given in EHLO (this host's)
   * @param timeout for connecting and for each reply
   */
  public TrustedSubmission(InetSocketAddress relay, String clientName, Duration timeout) {
    this.relay = relay;
    this.clientName = clientName;
    this.timeout = timeout;
  }

  /**
   * @return the relay's final reply, {@code 250 2.0.0 Ok: queued as …}
   */
  public String submit(LocalMessage message) throws SendmailException {
    try (Socket socket = new Socket()) {
      try {
        socket.connect(relay, (int) timeout.toMillis());
      } catch (IOException e) {
        throw new SendmailException(
            "relay not reachable at "
                + relay.getHostString()
                + ":"
                + relay.getPort()
                + " ("
                + e.getMessage()
                + "); is mailseal serve running with listeners.trusted?",
            SendmailException.TEMPFAIL);
      }
      socket.setSoTimeout((int) timeout.toMillis());
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      expect(in, "greeting", SendmailException.TEMPFAIL);
      command(out, "EHLO " + clientName);
      expect(in, "EHLO", SendmailException.TEMPFAIL);
      command(out, "MAIL FROM:<" + message.sender() + ">");
      expect(in, "sender <" + message.sender() + ">", SendmailException.NO_PERMISSION);
      for (String r : message.recipients()) {
        command(out, "RCPT TO:<" + r + ">");
        expect(in, "recipient <" + r + ">", SendmailException.NO_USER);
      }
      command(out, "DATA");
      expect(in, "DATA", SendmailException.DATA);
      out.write(dotStuffed(message.bytes()));
      out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String accepted = expect(in, "message", SendmailException.DATA);
      command(out, "QUIT");
      return accepted;
    } catch (IOException e) {
      throw new SendmailException(
          "relay at " + relay.getHostString() + ":" + relay.getPort() + ": " + e.getMessage(),
          SendmailException.TEMPFAIL);
    }
  }

  private static void command(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /**
   * Reads one (multi-line) reply; a 2xx or 3xx is returned, a 4xx is TEMPFAIL, a 5xx is {@code
   * permanent} (NO_PERMISSION for any 5.7.x policy refusal).
   */
  private static String expect(InputStream in, String what, int permanent)
      throws IOException, SendmailException {
    String line;
    StringBuilder text = new StringBuilder();
    do {
      line = readLine(in);
      if (line.length() < 3) {
        throw new IOException("malformed reply: " + line);
      }
      text.append(text.length() == 0 ? "" : " / ").append(line);
    } while (line.length() > 3 && line.charAt(3) == '-');
    char kind = line.charAt(0);
    if (kind == '2' || kind == '3') {
      return text.toString();
    }
    if (kind == '4') {
      throw new SendmailException(
          "relay deferred the " + what + ": " + text, SendmailException.TEMPFAIL);
    }
    int code = line.substring(4).startsWith("5.7.") ? SendmailException.NO_PERMISSION : permanent;
    throw new SendmailException("relay refused the " + what + ": " + text, code);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c == -1 && b.size() == 0) {
      throw new IOException("connection closed");
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  /** RFC 5321 §4.5.2: a line that starts with a dot gets one more. */
  static byte[] dotStuffed(byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 16);
    boolean lineStart = true;
    for (byte b : message) {
      if (lineStart && b == '.') {
        out.write('.');
      }
      out.write(b);
      lineStart = b == '\n';
    }
    return out.toByteArray();
  }
}
