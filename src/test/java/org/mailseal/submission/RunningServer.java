// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.LoginThrottle;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.User;
import org.mailseal.auth.UserStore;
import org.mailseal.config.MailsealConfig;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.Selector;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.policy.SenderPattern;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.MutableClock;
import org.mailseal.tls.ServerTls;

/**
 * A submission server on ephemeral loopback ports over a temporary directory: users alice (sends as
 * herself) and bob (as himself and other.org, which is not signed here), example.com with an ACTIVE
 * RSA and Ed25519 key, nokey.example configured without keys.
 */
final class RunningServer implements AutoCloseable {
  static final String PASSWORD = "correct horse battery";

  final Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  final SubmissionServer.Options options;
  final FileKeyStore keys;
  final Spool spool;
  final ServerTls tls;
  final SigningKeys signing;
  final UserStore users;
  final SubmissionServer server;
  final SSLContext trust;

  RunningServer(Path dir) throws Exception {
    this(dir, l -> l, false);
  }

  RunningServer(Path dir, UnaryOperator<MailsealConfig.Limits.Builder> limits) throws Exception {
    this(dir, limits, false);
  }

  /**
   * @param limits changes to the default limits
   * @param proxy whether the submission and submissions listeners expect a PROXY protocol header
   */
  RunningServer(Path dir, UnaryOperator<MailsealConfig.Limits.Builder> limits, boolean proxy)
      throws Exception {
    this.dir = dir;
    options =
        new SubmissionServer.Options(
            "mail.example.com",
            true,
            false,
            new MailsealConfig.Listeners(
                new MailsealConfig.Listener("127.0.0.1", 0, proxy),
                new MailsealConfig.Listener("127.0.0.1", 0, proxy),
                Optional.of(
                    new MailsealConfig.Trusted(
                        new MailsealConfig.Listener("127.0.0.1", 0, false),
                        List.of("127.0.0.1/32")))),
            limits.apply(MailsealConfig.Limits.builder()).build(),
            List.of("example.com", "nokey.example"));
    SecureRandom random = new SecureRandom();
    keys = new FileKeyStore(dir.resolve("keys"), clock);
    KeyGenerator gen = new KeyGenerator(random);
    keys.add(
        "example.com",
        new Selector("s20261123r"),
        gen.generate(KeyAlgorithm.RSA, 2048).getPrivate(),
        KeyState.ACTIVE);
    keys.add(
        "example.com",
        new Selector("s20261123e"),
        gen.generate(KeyAlgorithm.ED25519, 0).getPrivate(),
        KeyState.ACTIVE);
    signing = new SigningKeys(keys, Set.copyOf(options.domains()), clock, 64 * 1024);
    signing.refresh();
    spool = Spool.open(dir.resolve("spool"), clock, SpoolOptions.defaults(random));
    tls = ServerTls.selfSigned(dir.resolve("tls"), "mail.example.com", clock, random);
    users = new UserStore(dir.resolve("users.yaml"), clock);
    PasswordHasher hasher = new PasswordHasher(random);
    users.put(
        new User(
            "alice@example.com",
            hasher.hash(PASSWORD.toCharArray()),
            List.of(SenderPattern.parse("alice@example.com"))));
    users.put(
        new User(
            "bob@example.com",
            hasher.hash(PASSWORD.toCharArray()),
            List.of(SenderPattern.parse("bob@example.com"), SenderPattern.parse("other.org"))));
    server =
        new SubmissionServer(
            new SubmissionServer.Parts(
                options,
                tls,
                users,
                new Authenticator(users, hasher, new LoginThrottle(clock), clock, random),
                signing,
                spool,
                dir.resolve("tmp"),
                RelayMetrics.none(),
                clock,
                random));
    server.start();
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(tls.trustStore());
    trust = SSLContext.getInstance("TLS");
    trust.init(null, tmf.getTrustManagers(), null);
  }

  int submissionPort() {
    return server.ports().get(0);
  }

  int submissionsPort() {
    return server.ports().get(1);
  }

  int trustedPort() {
    return server.ports().get(2);
  }

  /** A STARTTLS session, authenticated as {@code user}. */
  SmtpDialog authenticated(String user) throws IOException {
    SmtpDialog d = SmtpDialog.plain(submissionPort(), trust).startTls();
    d.expect("AUTH PLAIN " + SmtpDialog.b64("\0" + user + "\0" + PASSWORD), "235");
    return d;
  }

  @Override
  public void close() {
    server.stop(Duration.ofSeconds(2));
    spool.close();
  }
}
