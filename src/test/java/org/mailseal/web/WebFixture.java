// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.LoginThrottle;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.User;
import org.mailseal.auth.UserStore;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.PemKeys;
import org.mailseal.keys.Selector;
import org.mailseal.policy.SenderPattern;
import org.mailseal.records.DnsRecord;
import org.mailseal.records.RecordPlan;
import org.mailseal.records.ZoneWriter;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.CheapHash;
import org.mailseal.testing.MutableClock;
import org.mailseal.testing.ZoneServer;

/**
 * A dashboard over real parts, served over HTTPS on 127.0.0.1: a file key store with four keys of
 * {@code example.com} (RSA RETIRED and ACTIVE, Ed25519 ACTIVE and PENDING), a test DNS server that
 * shows every record but the PENDING key's, a spool with queued messages (one deferred with a reply
 * full of markup), and a users file with an admin and a plain user.
 */
final class WebFixture implements AutoCloseable {
  static final String DOMAIN = "example.com";
  static final String ADMIN = "admin@example.com";
  static final String ADMIN_PASSWORD = "correct horse battery staple";
  static final String USER = "alice@example.com";
  static final String USER_PASSWORD = "alice secret 1";
  static final String SPF = "v=spf1 ip4:192.0.2.10 -all";
  static final String DMARC = "v=DMARC1; p=none; rua=mailto:dmarc@example.com";
  static final String HOSTILE_REPLY =
      "451 4.3.0 <img src=x id=pwned onerror=\"document.title='pwned'\"> & <b>busy</b>";
  static final Instant START = Instant.parse("2026-09-01T03:00:00Z");
  static final Instant NOW = Instant.parse("2026-12-05T02:00:00Z");

  final Path dir;
  final MutableClock clock = new MutableClock(START);
  final FileKeyStore keys;
  final Spool spool;
  final UserStore users;
  final ZoneServer zone;
  final PartsDashboard dashboard;
  final TestTls tls;
  final List<QueueId> queued = new ArrayList<>();
  final WebServer server;
  final PasswordHasher hasher;
  final AdminLogin login;

  WebFixture(Path dir) throws Exception {
    this(dir, List.of(DOMAIN), 2);
  }

  /** {@code domains} each get the four keys; {@code messages} are queued (the first two fixed). */
  WebFixture(Path dir, List<String> domains, int messages) throws Exception {
    this.dir = dir;
    SecureRandom random = new SecureRandom();
    this.keys = new FileKeyStore(dir.resolve("keys"), clock);
    KeyGenerator gen = new KeyGenerator(random);
    // Two stored test keys: generating two RSA keys cost most of the fixture's time.
    List<PrivateKey> rsa = new ArrayList<>();
    for (String pem : List.of("rsa2048-pkcs8.pem", "rsa2048-second-pkcs8.pem")) {
      rsa.add(PemKeys.readPrivateKey(Path.of("src/test/resources/keys", pem)));
    }
    for (String d : domains) {
      clock.set(START);
      add(d, "s20260901r", rsa.get(0), KeyState.ACTIVE);
      add(d, "s20260901e", gen.generate(KeyAlgorithm.ED25519, 0).getPrivate(), KeyState.ACTIVE);
      clock.set(Instant.parse("2026-12-01T03:00:00Z"));
      add(d, "s20261201r", rsa.get(1), KeyState.ACTIVE);
      clock.set(Instant.parse("2026-12-03T03:00:00Z"));
      add(d, "s20261203e", gen.generate(KeyAlgorithm.ED25519, 0).getPrivate(), KeyState.PENDING);
    }
    clock.set(NOW);
    this.zone = ZoneServer.start(domains.get(0), zoneText(false));
    this.spool =
        Spool.open(dir.resolve("spool"), clock, SpoolOptions.defaults(random).withoutFsync());
    List<PartsDashboard.DomainSetup> setups = new ArrayList<>();
    for (String d : domains) {
      setups.add(
          new PartsDashboard.DomainSetup(
              d,
              Optional.of(SPF),
              Optional.of(DMARC.replace("example.com", d)),
              Duration.ofHours(72),
              Duration.ofDays(14),
              Instant.parse("2027-01-01T03:00:00Z")));
    }
    this.dashboard =
        new PartsDashboard(
            setups, keys, DnsjavaLookup.server(zone.address()), spool, clock, random);
    QueueId first = queue(USER, List.of("bob@example.net", "carol@example.org"));
    clock.advance(Duration.ofMinutes(5));
    dashboard.defer(first, "carol@example.org", HOSTILE_REPLY, NOW.plus(Duration.ofMinutes(30)));
    for (int i = 1; i < messages; i++) {
      queue(USER, List.of("dave" + i + "@example.net"));
    }
    clock.advance(Duration.ofMinutes(1));

    this.hasher = new PasswordHasher(random);
    this.users = new UserStore(dir.resolve("users.yaml"), clock);
    users.put(new User(ADMIN, CheapHash.of(ADMIN_PASSWORD), List.of(SenderPattern.parse(ADMIN))));
    users.put(new User(USER, CheapHash.of(USER_PASSWORD), List.of(SenderPattern.parse(USER))));
    Authenticator auth = new Authenticator(users, hasher, new LoginThrottle(clock), clock, random);
    this.login = new UserStoreAdminLogin(auth, users, u -> Set.of(ADMIN).contains(u.name()));
    this.tls = TestTls.make(dir.resolve("tls"), clock);
    this.server =
        WebServer.start(
            WebOptions.of(InetAddress.getLoopbackAddress(), 0),
            Optional.of(tls.server()),
            dashboard,
            login,
            clock,
            random);
  }

  private void add(String domain, String selector, PrivateKey key, KeyState state)
      throws Exception {
    keys.add(domain, new Selector(selector), key, state);
  }

  QueueId queue(String sender, List<String> recipients) throws Exception {
    String message =
        "From: <"
            + sender
            + ">\r\nTo: <"
            + recipients.get(0)
            + ">\r\nSubject: hello\r\n\r\nHello.\r\n";
    QueueId id =
        spool.store(
            EnvelopeDraft.submitted(sender, recipients, sender),
            new ByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII)));
    queued.add(id);
    return id;
  }

  /** The zone of the first domain: every planned record, or all but the PENDING key's. */
  String zoneText(boolean withPending) throws Exception {
    List<DkimKey> ks = keys.list(DOMAIN);
    List<DnsRecord> plan =
        RecordPlan.forDomain(DOMAIN, ks, Optional.of(SPF), Optional.of(DMARC), clock.instant());
    List<DnsRecord> shown = new ArrayList<>();
    for (DnsRecord r : plan) {
      boolean pending =
          ks.stream()
              .anyMatch(
                  k ->
                      k.state() == KeyState.PENDING
                          && r.name().toString().equals(k.recordName() + "."));
      if (withPending || !pending) {
        shown.add(r);
      }
    }
    return ZoneWriter.render(shown, ZoneWriter.Format.BIND);
  }

  /** The record name of the PENDING key. */
  String pendingRecordName() throws Exception {
    return keys.list(DOMAIN).stream()
            .filter(k -> k.state() == KeyState.PENDING)
            .findFirst()
            .orElseThrow()
            .recordName()
        + ".";
  }

  @Override
  public void close() {
    server.close();
    zone.close();
    spool.close();
  }
}
