// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import javax.crypto.spec.SecretKeySpec;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dns.TxtRecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * Writes TXT records to a zone's primary server with RFC 2136 updates signed with a TSIG key (RFC
 * 8945), over TCP. The secret is read at every call, so a corrected secret file takes effect
 * without a restart. An answer counts only when its own TSIG signature verifies. Every failure is a
 * {@link DnsUpdateException} naming the server's RCODE (or TSIG error) in words.
 */
public final class Rfc2136Updater {
  /** How long one update may take. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final InetSocketAddress server;
  private final MailsealConfig.Tsig key;
  private final Clock clock;
  private final Duration timeout;

  /**
   * @param clock the time signed into each TSIG (RFC 8945 §5.2.3: the server refuses a skew over
   *     its fudge, 300 seconds)
   */
  public Rfc2136Updater(
      InetSocketAddress server, MailsealConfig.Tsig key, Clock clock, Duration timeout) {
    this.server = Objects.requireNonNull(server, "server");
    this.key = Objects.requireNonNull(key, "key");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** An updater for one {@code dns-updates} entry. */
  public static Rfc2136Updater of(MailsealConfig.DnsUpdate entry, Clock clock) {
    return new Rfc2136Updater(
        new InetSocketAddress(entry.address(), entry.port()), entry.tsig(), clock, DEFAULT_TIMEOUT);
  }

  /** {@code address:port} of the server. */
  public String server() {
    return server.getAddress().getHostAddress() + ":" + server.getPort();
  }

  /** The update message for {@code changes} in {@code zone}, before signing. */
  public static Update message(Name zone, List<TxtChange> changes) {
    Update u = new Update(zone);
    changes.forEach(c -> c.addTo(u));
    return u;
  }

  /** Sends {@code changes} as one update of {@code zone}: all of them apply, or none. */
  public void send(Name zone, List<TxtChange> changes) throws DnsUpdateException {
    Message response = exchange(message(zone, changes), "update of " + zone);
    check(response, zone);
  }

  /** The TXT records at {@code name} as the primary has them (a signed query over TCP). */
  public List<TxtRecord> txt(Name name) throws DnsUpdateException {
    Message response =
        exchange(
            Message.newQuery(Record.newRecord(name, Type.TXT, DClass.IN)), "query for " + name);
    int rcode = response.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      check(response, name);
    }
    List<TxtRecord> out = new ArrayList<>();
    for (Record r : response.getSection(Section.ANSWER)) {
      if (r instanceof TXTRecord t && r.getName().equals(name)) {
        List<String> strings = new ArrayList<>();
        t.getStringsAsByteArrays()
            .forEach(b -> strings.add(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1)));
        out.add(new TxtRecord(strings));
      }
    }
    return out;
  }

  /**
   * Why {@code key}'s secret cannot be used, if it cannot: unreadable, or not base64 (what {@code
   * config check} prints).
   */
  public static Optional<String> secretProblem(MailsealConfig.Tsig key) {
    try {
      secret(key);
      return Optional.empty();
    } catch (DnsUpdateException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static byte[] secret(MailsealConfig.Tsig key) throws DnsUpdateException {
    String text;
    try {
      text = key.secret().resolve().strip();
    } catch (IllegalStateException e) {
      throw new DnsUpdateException(
          "", "SECRET", "TSIG secret of key " + key.name() + ": " + e.getMessage(), null);
    }
    // tsig-keygen prints a whole key clause; accept its secret line pasted alone or bare base64.
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("secret\\s+\"([^\"]*)\"").matcher(text);
    if (m.find()) {
      text = m.group(1);
    }
    try {
      byte[] b = Base64.getDecoder().decode(text);
      if (b.length == 0) {
        throw new IllegalArgumentException("empty");
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new DnsUpdateException(
          "",
          "SECRET",
          "TSIG secret of key "
              + key.name()
              + " ("
              + key.secret()
              + ") is not valid base64 (as tsig-keygen prints it)",
          null);
    }
  }

  private TSIG tsig() throws DnsUpdateException {
    try {
      return new TSIG(
          TSIG.algorithmToName(key.algorithm().tag()),
          Name.fromString(key.name()),
          new SecretKeySpec(secret(key), "Hmac" + key.algorithm().name().substring(5)),
          clock);
    } catch (TextParseException e) {
      throw new DnsUpdateException(server(), "SECRET", "bad key name " + key.name(), e);
    }
  }

  private Message exchange(Message query, String what) throws DnsUpdateException {
    SimpleResolver resolver = new SimpleResolver(server);
    resolver.setTCP(true);
    resolver.setTimeout(timeout);
    resolver.setTSIGKey(tsig());
    try {
      return resolver.send(query);
    } catch (IOException e) {
      boolean timedOut =
          e instanceof SocketTimeoutException
              || e.getCause() instanceof TimeoutException
              || e.getCause() instanceof SocketTimeoutException
              || String.valueOf(e.getMessage())
                  .toLowerCase(java.util.Locale.ROOT)
                  .contains("timed out");
      throw new DnsUpdateException(
          server(),
          timedOut ? "TIMEOUT" : "NETWORK",
          what
              + " at "
              + server()
              + (timedOut
                  ? ": TIMEOUT (no answer within " + timeout.toSeconds() + "s)"
                  : ": NETWORK (" + e.getMessage() + ")"),
          e);
    }
  }

  private void check(Message response, Name zone) throws DnsUpdateException {
    TSIGRecord t = response.getTSIG();
    if (t != null && t.getError() != Rcode.NOERROR) {
      String code = Rcode.TSIGstring(t.getError());
      throw failure(code, zone);
    }
    int rcode = response.getRcode();
    if (rcode != Rcode.NOERROR) {
      throw failure(Rcode.string(rcode), zone);
    }
    if (!response.isVerified()) {
      throw failure("UNSIGNED", zone);
    }
  }

  private DnsUpdateException failure(String code, Name zone) {
    return new DnsUpdateException(
        server(), code, "update of " + zone + " at " + server() + ": " + explain(code, zone), null);
  }

  private String explain(String code, Name zone) {
    return code
        + switch (code) {
          case "REFUSED" ->
              " (the server refused it: key "
                  + key.name()
                  + " may not write these names; see its update-policy)";
          case "NOTAUTH" ->
              " (the server is not authoritative for "
                  + zone
                  + ", or does not accept key "
                  + key.name()
                  + ")";
          case "BADSIG" ->
              " (the server could not verify the TSIG signature: the secret of key "
                  + key.name()
                  + " differs from the server's)";
          case "BADKEY" ->
              " (the server does not know key "
                  + key.name()
                  + " with algorithm "
                  + key.algorithm().tag()
                  + ")";
          case "BADTIME" -> " (our clock and the server's differ by more than 5 minutes)";
          case "NOTZONE" -> " (a name is outside zone " + zone + ")";
          case "SERVFAIL" -> " (the server failed; retried later)";
          case "UNSIGNED" -> " (the answer carries no valid TSIG signature; not trusted)";
          default -> "";
        };
  }
}
