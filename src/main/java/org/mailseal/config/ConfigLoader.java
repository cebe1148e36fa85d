// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.mailseal.keys.SelectorTemplate;

/**
 * Reads and checks {@code mailseal.yaml}. Every mistake is collected, each with its file, line,
 * column and key, and reported together in one {@link ConfigException}; nothing is guessed or
 * fixed. Unknown keys are mistakes too (with a suggestion when one is close).
 */
public final class ConfigLoader {
  /** The default location, relative to the working directory. */
  public static final Path DEFAULT = Path.of("config/mailseal.yaml");

  /** How much longer than the spool's maximum age a retired key must stay published. */
  public static final Duration GRACE_MARGIN = Duration.ofDays(1);

  private ConfigLoader() {}

  public static MailsealConfig load(Path path) throws ConfigException {
    return load(path, false);
  }

  /**
   * {@link #load(Path)}, then every check {@code serve} makes of the configuration before it binds
   * a port: each secret ({@code *-env}, {@code *-file}) is read and must be usable. What {@code
   * config check} runs.
   *
   * @throws ConfigException naming the file, line, column and key of every problem
   */
  public static MailsealConfig loadForServe(Path path) throws ConfigException {
    return load(path, true);
  }

  private static MailsealConfig load(Path path, boolean readSecrets) throws ConfigException {
    String file = path.toString();
    List<ConfigException.Problem> problems = new ArrayList<>();
    YamlNode root;
    List<YamlNode.Key> duplicates = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      root = YamlNode.parse(in, duplicates);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          List.of(new ConfigException.Problem(file, 1, 1, "", "no such file")));
    } catch (IOException e) {
      throw new ConfigException(
          List.of(new ConfigException.Problem(file, 1, 1, "", "cannot read: " + e.getMessage())));
    } catch (YamlNode.SyntaxError e) {
      throw new ConfigException(
          List.of(new ConfigException.Problem(file, e.line, e.column, "", e.getMessage())));
    }
    for (YamlNode.Key k : duplicates) {
      problems.add(
          new ConfigException.Problem(file, k.line(), k.column(), k.name(), "key given twice"));
    }
    Fields top = new Fields(file, "", root, problems, defaultBase(path));
    MailsealConfig config = read(path, top);
    if (readSecrets) {
      for (Fields.Secret secret : top.secrets()) {
        String error = readable(secret);
        if (error != null) {
          problems.add(
              new ConfigException.Problem(
                  secret.file(), secret.line(), secret.column(), secret.key(), error));
        }
      }
    }
    if (!problems.isEmpty()) {
      problems.sort(
          (a, b) ->
              a.line() != b.line()
                  ? Integer.compare(a.line(), b.line())
                  : Integer.compare(a.column(), b.column()));
      throw new ConfigException(problems);
    }
    return config;
  }

  /**
   * Where relative paths of a file that sets no {@code server.base-directory} land: the directory
   * above the file's own, so {@code config/mailseal.yaml} of a source tree points into that tree
   * whatever the working directory.
   */
  public static Path defaultBase(Path file) {
    Path dir = file.toAbsolutePath().normalize().getParent();
    return dir.getParent() == null ? dir : dir.getParent();
  }

  private static MailsealConfig read(Path path, Fields top) {
    Fields server = top.section("server");
    Path base = defaultBase(path);
    if (server.has("base-directory")) {
      String b = server.string("base-directory", "");
      if (b.startsWith("/")) {
        base = Path.of(b).normalize();
      } else {
        server.problem(
            server.raw("base-directory"),
            server.path("base-directory"),
            "must be an absolute directory, found " + b);
      }
    }
    top = top.withBase(base);
    server = server.withBase(base);
    MailsealConfig.Server s =
        new MailsealConfig.Server(
            server.string("hostname", "localhost"),
            server.bool("received-client-ip", true),
            server.bool("relay-unsigned", false),
            server.duration("shutdown-grace", Duration.ofSeconds(30)),
            server.bool("received-auth", false),
            base);
    server.finish();

    Map<String, MailsealConfig.DnsUpdate> updates = new LinkedHashMap<>();
    if (top.has("dns-updates")) {
      Fields du = top.section("dns-updates");
      for (String name : du.keys()) {
        DnsUpdateSection.dnsUpdate(name, du).ifPresent(entry -> updates.put(name, entry));
      }
      du.finish();
    }

    Fields tls = top.section("tls");
    Optional<Path> cert = Values.optionalPath(tls, "certificate");
    Optional<Path> key = Values.optionalPath(tls, "key");
    if (cert.isPresent() != key.isPresent()) {
      tls.problemAtKey(
          cert.isPresent() ? "certificate" : "key",
          "give both certificate and key, or neither for a self-signed certificate");
    }
    Path selfSigned = tls.file("self-signed-directory", "var/tls");
    Fields acmeFields = tls.section("acme");
    Optional<MailsealConfig.Acme> acme = Optional.empty();
    if (tls.has("acme")) {
      if (cert.isPresent()) {
        tls.problemAtKey(
            "acme", "give certificate and key, or acme, not both: they are two ways to one file");
      }
      acme = Optional.of(AcmeSection.acme(acmeFields, selfSigned.resolve("acme"), updates));
    }
    tls.finish();

    Fields listeners = top.section("listeners");
    Optional<MailsealConfig.Trusted> trusted = Optional.empty();
    if (listeners.has("trusted")) {
      Fields tr = listeners.section("trusted");
      List<String> networks =
          tr.strings(
              "networks",
              v -> Values.ipOrCidr(v, v.contains(":")) ? null : "not an IP network (CIDR): " + v);
      if (networks.isEmpty()) {
        tr.problem(
            tr.raw("networks") == null ? listeners.raw("trusted") : tr.raw("networks"),
            tr.path("networks"),
            "list the client networks that may send without AUTH, e.g. [127.0.0.1/32]");
      }
      Optional<String> origin = Optional.empty();
      if (tr.has("origin")) {
        String o = tr.string("origin", "").toLowerCase(Locale.ROOT);
        if (Values.DOMAIN.matcher(o).matches()) {
          origin = Optional.of(o);
        } else {
          tr.problem(tr.raw("origin"), tr.path("origin"), "not a domain name: " + o);
        }
      }
      MailsealConfig.Listener tl = listener(tr, 2525, "networks", "origin");
      trusted = Optional.of(new MailsealConfig.Trusted(tl, networks, origin));
    }
    MailsealConfig.Listeners l =
        new MailsealConfig.Listeners(
            listener(listeners.section("submission"), 2587),
            listener(listeners.section("submissions"), 2465),
            trusted);
    listeners.finish();

    Fields users = top.section("users");
    MailsealConfig.Users u =
        new MailsealConfig.Users(
            users.file("file", "var/users.yaml"),
            users.duration("login-cache", Duration.ofMinutes(10)));
    users.finish();

    Fields limits = top.section("limits");
    MailsealConfig.Limits fallback = MailsealConfig.Limits.builder().build();
    MailsealConfig.Limits lim =
        new MailsealConfig.Limits(
            limits.size("message-size", fallback.messageSize(), 1024),
            limits.integer("recipients", fallback.recipients(), 1, 100_000),
            limits.integer("connections", fallback.connections(), 1, 100_000),
            limits.integer("connections-per-ip", fallback.connectionsPerIp(), 1, 100_000),
            limits.positiveDuration("timeout", fallback.timeout()),
            limits.positiveDuration("data-timeout", fallback.dataTimeout()),
            (int)
                Math.min(
                    Integer.MAX_VALUE, limits.size("header-size", fallback.headerSize(), 1024)),
            limits.integer("line-length", fallback.lineLength(), 0, 1_000_000),
            limits.integer("messages-per-hour", fallback.messagesPerHour(), 1, 10_000_000),
            limits.integer("messages-per-day", fallback.messagesPerDay(), 0, 100_000_000),
            limits.integer("recipients-per-day", fallback.recipientsPerDay(), 0, 100_000_000),
            limits.integer(
                "first-time-recipients-per-day",
                fallback.firstTimeRecipientsPerDay(),
                0,
                100_000_000),
            limits.bool("suspend-on-exceed", fallback.suspendOnExceed()),
            limits.positiveDuration("command-deadline", fallback.commandDeadline()),
            limits.positiveDuration("message-deadline", fallback.messageDeadline()),
            limits.integer("min-data-rate", fallback.minDataRate(), 0, 1_000_000_000),
            limits.duration("data-rate-grace", fallback.dataRateGrace()),
            limits.positiveDuration("session-lifetime", fallback.sessionLifetime()));
    limits.finish();

    Fields keys = top.section("keys");
    SelectorTemplate template = SelectorTemplate.DEFAULT;
    try {
      template = new SelectorTemplate(keys.string("selector-template", template.template()));
    } catch (IllegalArgumentException e) {
      keys.problem(keys.raw("selector-template"), keys.path("selector-template"), e.getMessage());
    }
    MailsealConfig.Keys k =
        new MailsealConfig.Keys(
            keys.file("directory", "keys"),
            template,
            keys.file("dns-export", "var/dns"),
            keys.positiveDuration("reconcile-interval", Duration.ofMinutes(5)));
    keys.finish();

    Fields spool = top.section("spool");
    MailsealConfig.Spool sp =
        new MailsealConfig.Spool(
            spool.file("directory", "var/spool"),
            spool.positiveDuration("max-age", Duration.ofDays(5)));
    spool.finish();

    MailsealConfig.Delivery delivery = DeliverySection.delivery(top.section("delivery"));

    Fields admin = top.section("admin");
    MailsealConfig.Admin a =
        new MailsealConfig.Admin(
            admin.bool("enabled", true),
            Values.ipAddress(admin, "address", "127.0.0.1"),
            admin.integer("port", 9587, 0, 65535));
    admin.finish();

    Optional<MailsealConfig.Web> web = Optional.empty();
    if (top.has("web")) {
      Fields w = top.section("web");
      web =
          Optional.of(
              new MailsealConfig.Web(
                  Values.ipAddress(w, "address", "127.0.0.1"), w.integer("port", 8443, 0, 65535)));
      w.finish();
    }

    Fields logging = top.section("logging");
    MailsealConfig.Logging lg =
        new MailsealConfig.Logging(logging.choice("format", MailsealConfig.LogFormat.PLAIN));
    logging.finish();

    Optional<MailsealConfig.Cluster> cluster = Optional.empty();
    if (top.has("cluster")) {
      cluster = Optional.of(cluster(top.section("cluster")));
    }

    MailsealConfig.DmarcSettings dmarcSettings =
        new MailsealConfig.DmarcSettings(DomainSection.dmarcReports(top.section("dmarc")));

    Fields domains = top.section("domains");
    Map<String, MailsealConfig.Domain> ds = new LinkedHashMap<>();
    for (String name : domains.keys()) {
      Optional<String> named = Values.domainKey(domains, name);
      if (named.isEmpty()) {
        continue;
      }
      String d = named.get();
      ds.put(d, DomainSection.domain(d, domains.section(name), sp.maxAge(), updates));
    }
    if (domains.keys().isEmpty()) {
      domains.problem(
          top.raw("domains") == null ? new YamlNode.Scalar(null, false, 1, 1) : top.raw("domains"),
          "domains",
          "at least one signing domain is required");
    }
    domains.finish();
    if (acme.isPresent()) {
      acme = Optional.of(AcmeSection.acmeZone(acme.get(), acmeFields, updates, ds.keySet()));
    }
    MailsealConfig.Tls t = new MailsealConfig.Tls(cert, key, selfSigned, acme);
    top.finish();
    return new MailsealConfig(
        path, s, t, l, u, lim, k, sp, delivery, a, web, lg, cluster, ds, dmarcSettings, updates);
  }

  private static MailsealConfig.Listener listener(Fields f, int port, String... known) {
    MailsealConfig.Listener l =
        new MailsealConfig.Listener(
            Values.ipAddress(f, "address", "127.0.0.1"),
            f.integer("port", port, 0, 65535),
            f.bool("proxy-protocol", false));
    f.finish(known);
    return l;
  }

  /** Why the secret cannot be used, or null; never its value. */
  private static String readable(Fields.Secret secret) {
    String value;
    try {
      value = secret.ref().resolve();
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
    if (value.isEmpty()) {
      return secret.ref() + " is empty";
    }
    return secret.check().apply(value);
  }

  private static MailsealConfig.Cluster cluster(Fields f) {
    String url = f.required("database");
    if (!url.startsWith("jdbc:postgresql:")) {
      f.problem(
          f.raw("database"),
          f.path("database"),
          "must be a PostgreSQL JDBC URL, e.g. jdbc:postgresql://db.example.com:5432/mailseal");
    }
    String user = f.string("username", "mailseal");
    Optional<SecretRef> password = Values.secret(f, "password");
    Optional<SecretRef> kek = Values.secret(f, "kek", Values::keyEncryptionKey);
    if (kek.isEmpty()) {
      f.problem(
          f.raw("database"),
          f.path("kek-file"),
          "cluster mode needs kek-env or kek-file: the key that encrypts private keys in the"
              + " database");
    }
    int pool = f.integer("pool-size", 4, 1, 100);
    f.finish();
    return new MailsealConfig.Cluster(
        url, user, password, kek.orElse(new SecretRef("MAILSEAL_KEK", null)), pool);
  }

  /** Stable lines describing the effective configuration, secrets masked, for the start log. */
  public static List<String> describe(MailsealConfig c) {
    return EffectiveConfig.lines(c);
  }
}
