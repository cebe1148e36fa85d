// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.subethamail.smtp.MessageContext;

/**
 * The fields a submission server adds in front of a message: its Received trace field (RFC 5321
 * §4.4, with the RFC 3848 protocol {@code ESMTPSA} for authenticated TLS sessions), and the
 * Message-ID and Date a client left out (RFC 6409 §8.2, §8.3). With {@code clientIp} off the
 * Received field names neither the client's address nor its HELO name, for users' privacy; with
 * {@code auth} on it says who authenticated and with which app password (off by default).
 */
final class TraceFields {
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

  private final String hostname;
  private final boolean clientIp;
  private final boolean auth;
  private final Clock clock;
  private final SecureRandom random;

  /**
   * @param auth whether the Received field says who authenticated and with which credential
   */
  TraceFields(String hostname, boolean clientIp, boolean auth, Clock clock, SecureRandom random) {
    this.hostname = hostname;
    this.clientIp = clientIp;
    this.auth = auth;
    this.clock = clock;
    this.random = random;
  }

  /**
   * @param user who authenticated, empty for the trusted listener
   * @param appPassword the app password they used, empty for the main password
   */
  byte[] fields(
      MessageContext session,
      MessageHead head,
      String user,
      Optional<String> appPassword,
      List<String> recipients) {
    String date = RFC5322.format(clock.instant().atZone(ZoneOffset.UTC));
    StringBuilder sb = new StringBuilder(256);
    sb.append("Received: ");
    if (clientIp) {
      String helo = session.getHelo().map(TraceFields::clean).orElse("unknown");
      String ip = ((InetSocketAddress) session.getRemoteAddress()).getAddress().getHostAddress();
      sb.append("from ")
          .append(helo)
          .append(" ([")
          .append(ip.contains(":") ? "IPv6:" + ip : ip)
          .append("])\r\n\t");
    }
    sb.append("by ")
        .append(hostname)
        .append(" (mailseal) with ")
        .append(user.isEmpty() ? "ESMTP" : "ESMTPSA");
    if (auth && !user.isEmpty()) {
      // RFC 5321 §4.4 allows comments in the trace field; off by default: it names the user.
      sb.append("\r\n\t(authenticated as ").append(clean(user));
      appPassword.ifPresent(n -> sb.append(" with app password ").append(clean(n)));
      sb.append(')');
    }
    if (recipients.size() == 1) {
      sb.append("\r\n\tfor <").append(clean(recipients.get(0))).append(">");
    }
    sb.append("; ").append(date).append("\r\n");
    if (!head.has("Message-ID")) {
      byte[] id = new byte[16];
      random.nextBytes(id);
      sb.append("Message-ID: <")
          .append(HexFormat.of().formatHex(id))
          .append('@')
          .append(hostname)
          .append(">\r\n");
    }
    if (!head.has("Date")) {
      sb.append("Date: ").append(date).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A client-supplied token made safe for a header: printable ASCII, no spaces, bounded. */
  private static String clean(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 255; i++) {
      char c = s.charAt(i);
      sb.append(c > 32 && c < 127 && c != '(' && c != ')' && c != ';' ? c : '_');
    }
    return sb.length() == 0 ? "unknown" : sb.toString();
  }
}
