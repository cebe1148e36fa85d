// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
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
import org.mailseal.keys.PemKeys;
import org.mailseal.keys.Selector;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.policy.SenderPattern;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.CheapHash;
import org.mailseal.testing.MutableClock;
import org.mailseal.testing.SmtpDialog;
import org.mailseal.tls.ServerTls;

/**
 * A submission server on ephemeral loopback ports over a temporary directory: users alice (sends as
 * herself) and bob (as himself and other.org, which is not signed here), example.com with an ACTIVE
 * RSA and Ed25519 key, nokey.example configured without keys.
 *
 * <p>What is slow to make is made once, outside the tests: the RSA signing key and the TLS
 * certificate are test resources, and the users' password hash is {@link #PASSWORD_HASH}, at a
 * test's cost. Logins still verify it with the real Argon2id. The key store's files are written
 * once per JVM (adding a key writes and syncs several files) and copied into each server's
 * directory.
 */
final class RunningServer implements AutoCloseable {
  static final String PASSWORD = "correct horse battery";

  /**
   * An Argon2id hash of {@link #PASSWORD} at a test's cost ({@link CheapHash}): each login verifies
   * it with the real Argon2id in under a millisecond instead of some 45 ms.
   */
  static final String PASSWORD_HASH = CheapHash.of(PASSWORD);

  /**
   * One hasher for every server of the JVM: its decoy hash (what an unknown user's password is
   * checked against) is made once, not once per server.
   */
  private static final PasswordHasher HASHER = new PasswordHasher(new SecureRandom());

  private static final Path RESOURCES = Path.of("src/test/resources");
  private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
  private static Path keyTemplate;

  final Path dir;
  final MutableClock clock = new MutableClock(START);
  final SubmissionServer.Options options;
  final FileKeyStore keys;
  final Spool spool;
  final ServerTls tls;
  final SigningKeys signing;
  final UserStore users;
  final SubmissionServer server;
  final SSLContext trust;
  final RelayMetrics metrics = RelayMetrics.none();

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
    this(dir, limits, proxy, false);
  }

  /**
   * @param receivedAuth whether the Received field names the user and app password
   */
  RunningServer(
      Path dir,
      UnaryOperator<MailsealConfig.Limits.Builder> limits,
      boolean proxy,
      boolean receivedAuth)
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
                        List.of("127.0.0.1/32"),
                        Optional.empty()))),
            limits.apply(MailsealConfig.Limits.builder()).build(),
            List.of("example.com", "nokey.example"),
            List.of("parked.example"),
            receivedAuth);
    SecureRandom random = new SecureRandom();
    copyTree(keyTemplate(random), dir.resolve("keys"));
    keys = new FileKeyStore(dir.resolve("keys"), clock);
    signing = new SigningKeys(keys, Set.copyOf(options.domains()), clock, 64 * 1024);
    signing.refresh();
    spool = Spool.open(dir.resolve("spool"), clock, SpoolOptions.defaults(random));
    tls =
        ServerTls.fromFiles(
            RESOURCES.resolve("tls/server.crt"), RESOURCES.resolve("tls/server.key"), clock);
    users = new UserStore(dir.resolve("users.yaml"), clock);
    users.put(
        new User(
            "alice@example.com", PASSWORD_HASH, List.of(SenderPattern.parse("alice@example.com"))));
    users.put(
        new User(
            "bob@example.com",
            PASSWORD_HASH,
            List.of(SenderPattern.parse("bob@example.com"), SenderPattern.parse("other.org"))));
    server =
        new SubmissionServer(
            new SubmissionServer.Parts(
                options,
                tls,
                users,
                new Authenticator(
                    users, HASHER, new LoginThrottle(clock), clock, random, Duration.ofMinutes(10)),
                signing,
                spool,
                dir.resolve("tmp"),
                metrics,
                clock,
                random));
    server.start();
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(tls.trustStore());
    trust = SSLContext.getInstance("TLS");
    trust.init(null, tmf.getTrustManagers(), null);
  }

  /**
   * A key store with example.com's ACTIVE RSA and Ed25519 keys, added at {@link #START}: made once
   * per JVM in a directory removed when the JVM exits.
   */
  private static synchronized Path keyTemplate(SecureRandom random) throws Exception {
    if (keyTemplate == null) {
      Path top = Files.createTempDirectory("mailseal-running-server-keys");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(top)));
      Path root = top.resolve("keys");
      FileKeyStore store = new FileKeyStore(root, new MutableClock(START));
      store.add(
          "example.com",
          new Selector("s20261123r"),
          PemKeys.readPrivateKey(RESOURCES.resolve("keys/rsa2048-pkcs8.pem")),
          KeyState.ACTIVE);
      store.add(
          "example.com",
          new Selector("s20261123e"),
          new KeyGenerator(random).generate(KeyAlgorithm.ED25519, 0).getPrivate(),
          KeyState.ACTIVE);
      keyTemplate = root;
    }
    return keyTemplate;
  }

  /** Copies {@code from} to {@code to} (which must not exist), with each file's permissions. */
  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Files.copy(
            p, to.resolve(from.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  private static void deleteTree(Path top) {
    try (Stream<Path> all = Files.walk(top)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory left behind
    }
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
