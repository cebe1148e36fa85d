// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.mailseal.config.MailsealConfig;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.DnsjavaLookup;
import org.mailseal.dns.TxtRecord;
import org.mailseal.fs.AtomicFiles;
import org.mailseal.records.DnsUpdateException;
import org.mailseal.records.Rfc2136Updater;
import org.mailseal.records.TxtChange;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Keeps the listeners' certificate issued and fresh from an ACME CA (RFC 8555), proving control of
 * each name with a DNS-01 challenge (RFC 8555 §8.4) written by RFC 2136 update and deleted once
 * validated. Files under the state directory: {@code account.key} and {@code key.pem} (0600) and
 * {@code cert.pem} (the chain), each replaced atomically, the key before the certificate; the
 * listeners' reloading key manager picks them up without a restart.
 *
 * <p>{@link #renewIfDue()} is what a schedule calls: it does nothing until the certificate is
 * within {@code renew-before} of expiry (or missing, self-signed, or lacking a configured name);
 * after a failure it waits (5 minutes, doubling, at most 6 hours) while the old certificate keeps
 * serving. Thread-safe; one renewal at a time.
 */
public final class AcmeRenewer {
  private static final Logger log = LoggerFactory.getLogger(AcmeRenewer.class);

  /** The first wait after a failed renewal; it doubles with each failure in a row. */
  public static final Duration FIRST_BACKOFF = Duration.ofMinutes(5);

  /** The longest wait between two attempts. */
  public static final Duration MAX_BACKOFF = Duration.ofHours(6);

  /** How long the CA may take to validate a challenge or issue the certificate. */
  static final Duration CA_TIMEOUT = Duration.ofMinutes(2);

  /** TTL of the challenge records: short, they live for minutes. */
  static final long CHALLENGE_TTL = 60;

  /** What one call did. */
  public sealed interface Outcome permits NotDue, Renewed, Failed, Waiting {
    /** One line for operators. */
    String describe();
  }

  /** The certificate is good until {@code renewAt}: nothing was done. */
  public record NotDue(CertificateInfo current, Instant renewAt) implements Outcome {
    @Override
    public String describe() {
      return "certificate valid until " + current.notAfter() + "; renewal due at " + renewAt;
    }
  }

  /** A new certificate was issued and written. */
  public record Renewed(CertificateInfo issued, String why) implements Outcome {
    @Override
    public String describe() {
      return "certificate issued ("
          + why
          + ") for "
          + issued.names()
          + " until "
          + issued.notAfter();
    }
  }

  /** Renewal failed; the old certificate (if any) keeps serving until {@code retryAt}. */
  public record Failed(String reason, Instant retryAt) implements Outcome {
    @Override
    public String describe() {
      return "renewal failed: " + reason + "; next attempt after " + retryAt;
    }
  }

  /** An earlier failure's backoff is not over. */
  public record Waiting(String lastReason, Instant retryAt) implements Outcome {
    @Override
    public String describe() {
      return "renewal failed earlier (" + lastReason + "); next attempt after " + retryAt;
    }
  }

  private final MailsealConfig.Acme acme;
  private final Rfc2136Updater updater;
  private final Name zone;
  private final Clock clock;
  private final SecureRandom random;
  private final ChallengePropagation propagation;
  private int failures;
  private String lastFailure = "";
  private Instant retryAt = Instant.MIN;

  /**
   * @param updater writes the challenge records (the {@code dns-updates} entry of {@code
   *     acme.dnsUpdate()})
   * @param propagation what to wait for between writing the challenge records and asking the CA to
   *     validate them (production: {@link #authoritativeServers()})
   * @param clock decides when renewal is due and the backoff
   */
  public AcmeRenewer(
      MailsealConfig.Acme acme,
      Rfc2136Updater updater,
      ChallengePropagation propagation,
      Clock clock,
      SecureRandom random) {
    this.acme = Objects.requireNonNull(acme, "acme");
    this.updater = Objects.requireNonNull(updater, "updater");
    this.propagation = Objects.requireNonNull(propagation, "propagation");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    try {
      this.zone = Name.fromString(acme.zone() + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("AcmeRenewer: zone: " + e.getMessage(), e);
    }
  }

  /** The renewer of {@code config}'s {@code tls.acme}, if it has one. */
  public static Optional<AcmeRenewer> fromConfig(
      MailsealConfig config, Clock clock, SecureRandom random) {
    return config
        .tls()
        .acme()
        .map(
            a ->
                new AcmeRenewer(
                    a,
                    Rfc2136Updater.of(config.dnsUpdate(a.dnsUpdate()).orElseThrow(), clock),
                    authoritativeServers(),
                    clock,
                    random));
  }

  /**
   * Waits up to 2 minutes, asking every 2 seconds, until every authoritative server of the zone
   * (found with the system resolver) shows the challenge records.
   */
  public static ChallengePropagation authoritativeServers() {
    return ChallengePropagation.authoritative(
        DnsjavaLookup.system(), 53, CA_TIMEOUT, Duration.ofSeconds(2));
  }

  /**
   * The chain the listeners should serve ({@code ServerTls.fromFiles} of it and {@link #keyFile}).
   */
  public Path certificateFile() {
    return acme.stateDirectory().resolve("cert.pem");
  }

  /** The {@code renew-before} setting. */
  public Duration renewBefore() {
    return acme.renewBefore();
  }

  /** The certificate's private key. */
  public Path keyFile() {
    return acme.stateDirectory().resolve("key.pem");
  }

  private Path accountKeyFile() {
    return acme.stateDirectory().resolve("account.key");
  }

  /**
   * Until the first certificate is issued, puts a copy of {@code certificate} and {@code key} (the
   * self-signed ones) where the issued ones will go, so the listeners can watch one pair of files
   * from the start; returns whether it did (the listeners then serve a self-signed certificate).
   */
  public boolean seed(Path certificate, Path key) throws IOException {
    if (Files.exists(certificateFile()) && Files.exists(keyFile())) {
      return false;
    }
    new CertificateFiles(certificateFile(), keyFile(), "acme")
        .copyFrom(new CertificateFiles(certificate, key, "self-signed"));
    return true;
  }

  /** What the current certificate says, if there is one. */
  public Optional<CertificateInfo> current() {
    try {
      return Optional.of(CertificateInfo.read(certificateFile()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** When the next renewal attempt is due: now if it is due, or after a failure's backoff. */
  public synchronized Instant nextRenewal() {
    Instant now = clock.instant();
    Instant due = current().filter(c -> why(c).isEmpty()).map(this::renewAt).orElse(now);
    return retryAt.isAfter(due) ? retryAt : due;
  }

  private Instant renewAt(CertificateInfo c) {
    return c.notAfter().minus(acme.renewBefore());
  }

  /** Why {@code c} must be replaced now, or empty when it is good until {@link #renewAt}. */
  private Optional<String> why(CertificateInfo c) {
    if (c.selfSigned()) {
      return Optional.of("self-signed");
    }
    for (String n : acme.names()) {
      if (!c.names().contains(n)) {
        return Optional.of("lacks " + n);
      }
    }
    return clock.instant().isBefore(renewAt(c))
        ? Optional.empty()
        : Optional.of("expires " + c.notAfter());
  }

  /** Renews the certificate when due (see the class comment); never throws. */
  public synchronized Outcome renewIfDue() {
    Instant now = clock.instant();
    Optional<CertificateInfo> current = current();
    String why = current.map(c -> why(c).orElse("")).orElse("no certificate");
    if (why.isEmpty()) {
      return new NotDue(current.get(), renewAt(current.get()));
    }
    if (now.isBefore(retryAt)) {
      return new Waiting(lastFailure, retryAt);
    }
    try {
      CertificateInfo issued = issue();
      failures = 0;
      lastFailure = "";
      retryAt = Instant.MIN;
      log.info(
          "tls certificate issued names={} notAfter={} fingerprint={} reason=\"{}\"",
          issued.names(),
          issued.notAfter(),
          issued.fingerprint(),
          why);
      return new Renewed(issued, why);
    } catch (AcmeException
        | DnsUpdateException
        | DnsLookupException
        | IOException
        | GeneralSecurityException e) {
      return fail(describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }

  private Outcome fail(String reason) {
    failures++;
    Duration wait = FIRST_BACKOFF.multipliedBy(1L << Math.min(failures - 1, 10));
    if (wait.compareTo(MAX_BACKOFF) > 0) {
      wait = MAX_BACKOFF;
    }
    lastFailure = reason;
    retryAt = clock.instant().plus(wait);
    log.warn(
        "tls certificate renewal failed names={} error=\"{}\" failures={}; the current certificate"
            + " keeps serving, next attempt after {}",
        acme.names(),
        reason,
        failures,
        retryAt);
    return new Failed(reason, retryAt);
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName().replace("Exception", "") + ": " + e.getMessage();
  }

  private CertificateInfo issue()
      throws AcmeException,
          DnsUpdateException,
          DnsLookupException,
          IOException,
          GeneralSecurityException,
          InterruptedException {
    AtomicFiles.createPrivateDirectories(acme.stateDirectory());
    Session session =
        acme.caFile().isPresent()
            ? new Session(acme.directory(), new TrustingAcmeProvider(trust(acme.caFile().get())))
            : new Session(acme.directory());
    Account account =
        new AccountBuilder()
            .addEmail(acme.email())
            .agreeToTermsOfService()
            .useKeyPair(accountKey())
            .create(session);
    Order order = account.newOrder().domains(acme.names()).create();

    // RFC 8555 §8.4: one TXT record per authorization at _acme-challenge.<name>.
    Map<Name, List<TxtRecord>> records = new LinkedHashMap<>();
    List<Dns01Challenge> challenges = new ArrayList<>();
    for (Authorization auth : order.getAuthorizations()) {
      if (auth.getStatus() == Status.VALID) {
        continue;
      }
      Dns01Challenge c =
          auth.findChallenge(Dns01Challenge.class)
              .orElseThrow(
                  () ->
                      new AcmeException(
                          "the CA offers no dns-01 challenge for "
                              + auth.getIdentifier().getDomain()));
      records
          .computeIfAbsent(
              Name.fromString(Dns01Challenge.toRRName(auth.getIdentifier())),
              k -> new ArrayList<>())
          .add(TxtRecord.of(c.getDigest()));
      challenges.add(c);
    }
    List<TxtChange> add = new ArrayList<>();
    records.forEach((n, v) -> add.add(new TxtChange.Replace(n, CHALLENGE_TTL, v)));
    try {
      if (!add.isEmpty()) {
        updater.send(zone, add);
        propagation.await(zone, records);
      }
      for (Dns01Challenge c : challenges) {
        c.trigger();
        Status s = c.waitForCompletion(CA_TIMEOUT);
        if (s != Status.VALID) {
          throw new AcmeException(
              "dns-01 challenge "
                  + s
                  + c.getError().map(p -> ": " + p.getDetail().orElse(p.toString())).orElse(""));
        }
      }
    } finally {
      removeChallenges(records.keySet());
    }
    order.waitUntilReady(CA_TIMEOUT);
    KeyPair domainKey = ecKey();
    order.execute(domainKey);
    Status s = order.waitForCompletion(CA_TIMEOUT);
    if (s != Status.VALID) {
      throw new AcmeException(
          "order " + s + order.getError().map(p -> ": " + p.getDetail().orElse("")).orElse(""));
    }
    StringWriter chain = new StringWriter();
    order.getCertificate().writeCertificate(chain);
    // The key first: a reload between the two writes sees the old pair at most once more.
    AtomicFiles.writePrivate(keyFile(), pem(domainKey.getPrivate()));
    AtomicFiles.write(
        certificateFile(),
        chain.toString().getBytes(StandardCharsets.US_ASCII),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    return CertificateInfo.read(certificateFile());
  }

  private void removeChallenges(java.util.Set<Name> names) {
    if (names.isEmpty()) {
      return;
    }
    List<TxtChange> delete = new ArrayList<>();
    names.forEach(n -> delete.add(new TxtChange.Delete(n)));
    try {
      updater.send(zone, delete);
    } catch (DnsUpdateException e) {
      log.warn(
          "acme challenge records not removed names={} error=\"{}\"; harmless, removed at the next"
              + " renewal",
          names,
          e.getMessage());
    }
  }

  /** The account's key, made (EC P-256) and kept 0600 on first use. */
  private KeyPair accountKey() throws IOException, GeneralSecurityException {
    Path file = accountKeyFile();
    if (Files.exists(file)) {
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
          PEMParser parser = new PEMParser(r)) {
        Object o = parser.readObject();
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        if (o instanceof PEMKeyPair pair) {
          return conv.getKeyPair(pair);
        }
        if (o instanceof PrivateKeyInfo info) {
          PrivateKey key = conv.getPrivateKey(info);
          return new KeyPair(publicOf(key), key);
        }
        throw new GeneralSecurityException(file + ": not a PEM private key");
      }
    }
    KeyPair pair = ecKey();
    AtomicFiles.writePrivate(file, pem(pair.getPrivate()));
    log.info("acme account key created file={}", file);
    return pair;
  }

  private static PublicKey publicOf(PrivateKey key) throws GeneralSecurityException {
    if (key instanceof java.security.interfaces.ECPrivateKey ec) {
      org.bouncycastle.jce.spec.ECParameterSpec spec =
          org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util.convertSpec(ec.getParams());
      org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(ec.getS()).normalize();
      return java.security.KeyFactory.getInstance("EC")
          .generatePublic(
              new java.security.spec.ECPublicKeySpec(
                  new java.security.spec.ECPoint(
                      q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                  ec.getParams()));
    }
    throw new GeneralSecurityException("account key must be EC (as mailseal makes it)");
  }

  private KeyPair ecKey() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), random);
    return g.generateKeyPair();
  }

  private static byte[] pem(PrivateKey key) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(new JcaPKCS8Generator(key, null));
    }
    return w.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** An SSL context trusting only the certificates of {@code caFile}. */
  static SSLContext trust(Path caFile) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (java.security.cert.Certificate c :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, (X509Certificate) c);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
