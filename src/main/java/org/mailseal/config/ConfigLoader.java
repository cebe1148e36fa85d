// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.mailseal.config.MailsealConfig.Alignment;
import org.mailseal.config.MailsealConfig.DmarcPolicy;
import org.mailseal.config.MailsealConfig.DnsCheck;
import org.mailseal.config.MailsealConfig.Route;
import org.mailseal.config.MailsealConfig.SmarthostTls;
import org.mailseal.config.MailsealConfig.SpfStance;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.SelectorTemplate;
import org.mailseal.oauth.Provider;
import org.quartz.CronExpression;

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

  private static final Pattern DOMAIN =
      Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern ADDRESS = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

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
        dnsUpdate(name, du).ifPresent(entry -> updates.put(name, entry));
      }
      du.finish();
    }

    Fields tls = top.section("tls");
    Optional<Path> cert = optionalPath(tls, "certificate");
    Optional<Path> key = optionalPath(tls, "key");
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
      acme = Optional.of(acme(acmeFields, selfSigned.resolve("acme"), updates));
    }
    tls.finish();

    Fields listeners = top.section("listeners");
    Optional<MailsealConfig.Trusted> trusted = Optional.empty();
    if (listeners.has("trusted")) {
      Fields tr = listeners.section("trusted");
      List<String> networks =
          tr.strings(
              "networks",
              v -> ipOrCidr(v, v.contains(":")) ? null : "not an IP network (CIDR): " + v);
      if (networks.isEmpty()) {
        tr.problem(
            tr.raw("networks") == null ? listeners.raw("trusted") : tr.raw("networks"),
            tr.path("networks"),
            "list the client networks that may send without AUTH, e.g. [127.0.0.1/32]");
      }
      Optional<String> origin = Optional.empty();
      if (tr.has("origin")) {
        String o = tr.string("origin", "").toLowerCase(Locale.ROOT);
        if (DOMAIN.matcher(o).matches()) {
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

    MailsealConfig.Delivery delivery = delivery(top.section("delivery"));

    Fields admin = top.section("admin");
    MailsealConfig.Admin a =
        new MailsealConfig.Admin(
            admin.bool("enabled", true),
            ipAddress(admin, "address", "127.0.0.1"),
            admin.integer("port", 9587, 0, 65535));
    admin.finish();

    Optional<MailsealConfig.Web> web = Optional.empty();
    if (top.has("web")) {
      Fields w = top.section("web");
      web =
          Optional.of(
              new MailsealConfig.Web(
                  ipAddress(w, "address", "127.0.0.1"), w.integer("port", 8443, 0, 65535)));
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
        new MailsealConfig.DmarcSettings(dmarcReports(top.section("dmarc")));

    Fields domains = top.section("domains");
    Map<String, MailsealConfig.Domain> ds = new LinkedHashMap<>();
    for (String name : domains.keys()) {
      String d = name.toLowerCase(Locale.ROOT);
      if (!DOMAIN.matcher(d).matches()) {
        domains.problemAtKey(name, "not a domain name");
        domains.raw(name);
        continue;
      }
      ds.put(d, domain(d, domains.section(name), sp.maxAge(), updates));
    }
    if (domains.keys().isEmpty()) {
      domains.problem(
          top.raw("domains") == null ? new YamlNode.Scalar(null, false, 1, 1) : top.raw("domains"),
          "domains",
          "at least one signing domain is required");
    }
    domains.finish();
    if (acme.isPresent()) {
      acme = Optional.of(acmeZone(acme.get(), acmeFields, updates, ds.keySet()));
    }
    MailsealConfig.Tls t = new MailsealConfig.Tls(cert, key, selfSigned, acme);
    top.finish();
    return new MailsealConfig(
        path, s, t, l, u, lim, k, sp, delivery, a, web, lg, cluster, ds, dmarcSettings, updates);
  }

  /** One entry of {@code dns-updates}: {@code rfc2136: {server, zone, tsig: {...}}}. */
  private static Optional<MailsealConfig.DnsUpdate> dnsUpdate(String name, Fields parent) {
    Fields entry = parent.section(name);
    if (!entry.has("rfc2136")) {
      parent.problemAtKey(
          name, "needs rfc2136: {server, tsig} (RFC 2136 updates are the one kind supported)");
      entry.finish();
      return Optional.empty();
    }
    Fields r = entry.section("rfc2136");
    entry.finish();
    String server = r.required("server");
    String address = server;
    int port = 53;
    java.util.regex.Matcher m =
        Pattern.compile("\\[([0-9a-fA-F:.]+)\\](?::(\\d+))?|([0-9.]+)(?::(\\d+))?|([0-9a-fA-F:]+)")
            .matcher(server.strip());
    if (!server.isEmpty()) {
      if (m.matches()) {
        address = m.group(1) != null ? m.group(1) : m.group(3) != null ? m.group(3) : m.group(5);
        String p = m.group(2) != null ? m.group(2) : m.group(4);
        if (p != null) {
          port = p.length() <= 5 ? Integer.parseInt(p) : 0;
        }
      }
      if (!m.matches() || !isIp(address) || port < 1 || port > 65535) {
        r.problem(
            r.raw("server"),
            r.path("server"),
            "must be IP[:PORT] of the zone's primary server (no host names: the address is"
                + " not looked up), e.g. 192.0.2.53:53 or [2001:db8::53]:53, found "
                + server);
      }
    }
    Optional<String> zone = Optional.empty();
    if (r.has("zone")) {
      String z = stripDot(r.string("zone", "")).toLowerCase(Locale.ROOT);
      if (!DOMAIN.matcher(z).matches()) {
        r.problem(r.raw("zone"), r.path("zone"), "not a zone name: " + z);
      }
      zone = Optional.of(z);
    }
    if (!r.has("tsig")) {
      r.problem(
          r.raw("server") == null ? new YamlNode.Scalar(null, false, 1, 1) : r.raw("server"),
          r.path("tsig"),
          "needs a TSIG key: tsig: {name, algorithm, secret-file or secret-env}");
    }
    Fields t = r.section("tsig");
    r.finish();
    String keyName = r.has("tsig") ? t.required("name") : "";
    if (!keyName.isEmpty()
        && !DOMAIN.matcher(stripDot(keyName).toLowerCase(Locale.ROOT)).matches()
        && !stripDot(keyName).matches("[A-Za-z0-9_-]+")) {
      t.problem(t.raw("name"), t.path("name"), "not a key name (a DNS name), found " + keyName);
    }
    MailsealConfig.TsigAlgorithm alg =
        t.choice("algorithm", MailsealConfig.TsigAlgorithm.HMAC_SHA256);
    Optional<SecretRef> secret = secret(t, "secret");
    String where = "";
    if (secret.isPresent()) {
      String key = t.has("secret-env") ? "secret-env" : "secret-file";
      where = t.where(key);
    } else if (r.has("tsig") && !t.has("secret")) {
      t.problem(
          r.raw("tsig"),
          t.path("secret-file"),
          "needs secret-file or secret-env: the key's secret, base64 as tsig-keygen prints it");
    }
    t.finish();
    return Optional.of(
        new MailsealConfig.DnsUpdate(
            name,
            address,
            port,
            zone,
            new MailsealConfig.Tsig(
                stripDot(keyName) + ".",
                alg,
                secret.orElse(new SecretRef("MAILSEAL_TSIG_SECRET", null)),
                where)));
  }

  private static MailsealConfig.Acme acme(
      Fields f, Path stateDirectory, Map<String, MailsealConfig.DnsUpdate> updates) {
    String dir = f.required("directory");
    java.net.URI uri = java.net.URI.create("https://invalid.invalid/");
    try {
      uri = new java.net.URI(dir);
      if (!dir.isEmpty() && (!"https".equals(uri.getScheme()) || uri.getHost() == null)) {
        throw new java.net.URISyntaxException(dir, "not an https URL");
      }
    } catch (java.net.URISyntaxException e) {
      f.problem(
          f.raw("directory"),
          f.path("directory"),
          "must be the CA's https directory URL, e.g."
              + " https://acme-v02.api.letsencrypt.org/directory, found "
              + dir);
    }
    String email = f.required("email");
    if (!email.isEmpty() && !ADDRESS.matcher(email).matches()) {
      f.problem(f.raw("email"), f.path("email"), "not an email address: " + email);
    }
    List<String> names =
        f.strings(
            "names",
            v -> {
              String n = v.strip().toLowerCase(Locale.ROOT);
              return DOMAIN.matcher(n.startsWith("*.") ? n.substring(2) : n).matches()
                  ? null
                  : "not a host name: " + v;
            });
    if (names.isEmpty() && !f.has("names")) {
      f.problem(
          f.raw("directory") == null ? new YamlNode.Scalar(null, false, 1, 1) : f.raw("directory"),
          f.path("names"),
          "list the names clients connect to, e.g. [mail.example.com]");
    }
    String update = f.required("dns-update");
    if (!update.isEmpty() && !updates.containsKey(update)) {
      f.problem(
          f.raw("dns-update"),
          f.path("dns-update"),
          "no dns-updates entry named "
              + update
              + (updates.isEmpty()
                  ? " (there is no dns-updates section: DNS-01 challenges are written through one)"
                  : " (there are: " + String.join(", ", updates.keySet()) + ")"));
    }
    Optional<Path> ca = optionalPath(f, "ca-file");
    Duration renewBefore = f.duration("renew-before", Duration.ofDays(30));
    f.finish();
    return new MailsealConfig.Acme(
        uri,
        email,
        names.stream().map(n -> n.strip().toLowerCase(Locale.ROOT)).toList(),
        update,
        "",
        ca,
        renewBefore,
        stateDirectory);
  }

  /** The zone the challenge records go to: the entry's, or the signing domain over every name. */
  private static MailsealConfig.Acme acmeZone(
      MailsealConfig.Acme a,
      Fields f,
      Map<String, MailsealConfig.DnsUpdate> updates,
      java.util.Set<String> domains) {
    Optional<String> zone = Optional.ofNullable(updates.get(a.dnsUpdate())).flatMap(u -> u.zone());
    String chosen = zone.orElse("");
    for (String n : a.names()) {
      String bare = n.startsWith("*.") ? n.substring(2) : n;
      if (zone.isPresent()) {
        if (!bare.equals(chosen) && !bare.endsWith("." + chosen)) {
          f.problem(
              f.raw("names"),
              f.path("names"),
              n + " is not in zone " + chosen + " of dns-updates." + a.dnsUpdate());
        }
        continue;
      }
      String best = "";
      for (String d : domains) {
        if ((bare.equals(d) || bare.endsWith("." + d)) && d.length() > best.length()) {
          best = d;
        }
      }
      if (best.isEmpty()) {
        f.problem(
            f.raw("names"),
            f.path("names"),
            n
                + " is under no signing domain: set dns-updates."
                + a.dnsUpdate()
                + ".rfc2136.zone to its zone");
      } else if (!chosen.isEmpty() && !chosen.equals(best)) {
        f.problem(
            f.raw("names"),
            f.path("names"),
            "names are in two zones ("
                + chosen
                + ", "
                + best
                + "): one dns-updates entry with a zone covers one zone");
      } else {
        chosen = best;
      }
    }
    return new MailsealConfig.Acme(
        a.directory(),
        a.email(),
        a.names(),
        a.dnsUpdate(),
        chosen,
        a.caFile(),
        a.renewBefore(),
        a.stateDirectory());
  }

  private static String stripDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  private static MailsealConfig.Listener listener(Fields f, int port, String... known) {
    MailsealConfig.Listener l =
        new MailsealConfig.Listener(
            ipAddress(f, "address", "127.0.0.1"),
            f.integer("port", port, 0, 65535),
            f.bool("proxy-protocol", false));
    f.finish(known);
    return l;
  }

  private static String ipAddress(Fields f, String key, String fallback) {
    String address = f.string(key, fallback);
    if (!isIp(address)) {
      f.problem(f.raw(key), f.path(key), "must be an IP address, found " + address);
    }
    return address;
  }

  private static Optional<Path> optionalPath(Fields f, String key) {
    return f.has(key) ? Optional.of(f.file(key, "")) : Optional.empty();
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

  /** A secret given as {@code <name>-env} or {@code <name>-file}; never inline. */
  private static Optional<SecretRef> secret(Fields f, String name) {
    return secret(f, name, v -> null);
  }

  private static Optional<SecretRef> secret(
      Fields f, String name, java.util.function.Function<String, String> check) {
    if (f.has(name)) {
      f.problemAtKey(
          name,
          "secrets never go in this file: use " + name + "-env (a variable) or " + name + "-file");
      f.raw(name);
    }
    String env = name + "-env";
    String file = name + "-file";
    if (f.has(env) && f.has(file)) {
      f.problemAtKey(file, "give " + env + " or " + file + ", not both");
      f.raw(file);
    }
    String key = f.has(env) ? env : f.has(file) ? file : null;
    String value = key == null ? "" : f.string(key, "");
    if (key == null) {
      return Optional.empty();
    }
    if (value.isBlank()) {
      f.problemAtKey(key, "must name " + (key.equals(env) ? "a variable" : "a file"));
      return Optional.empty();
    }
    SecretRef ref =
        key.equals(env) ? new SecretRef(value, null) : new SecretRef(null, f.file(key, ""));
    f.secret(key, ref, check);
    return Optional.of(ref);
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
    Optional<SecretRef> password = secret(f, "password");
    Optional<SecretRef> kek = secret(f, "kek", ConfigLoader::keyEncryptionKey);
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

  /** Why {@code value} is not 32 bytes in base64 or 64 hex digits, or null. */
  private static String keyEncryptionKey(String value) {
    String t = value.strip();
    if (t.matches("[0-9a-fA-F]{64}")) {
      return null;
    }
    int n;
    try {
      n = java.util.Base64.getDecoder().decode(t).length;
    } catch (IllegalArgumentException e) {
      n = -1;
    }
    return n == 32
        ? null
        : "the key-encryption key must be 32 bytes in base64 or 64 hex digits"
            + " (make one with: openssl rand -base64 32)";
  }

  private static MailsealConfig.Delivery delivery(Fields f) {
    Route route = f.choice("route", Route.FILE);
    Fields file = f.section("file");
    Path dir = file.file("directory", "var/outbox");
    file.finish();
    Fields rf = f.section("routes");
    Map<String, Route> routes = new LinkedHashMap<>();
    for (String name : rf.keys()) {
      String d = name.toLowerCase(Locale.ROOT);
      if (!DOMAIN.matcher(d).matches()) {
        rf.problemAtKey(name, "not a domain name");
        rf.raw(name);
        continue;
      }
      routes.put(d, rf.choice(name, route));
    }
    rf.finish();
    MailsealConfig.Smarthost smarthost =
        smarthost(
            f.section("smarthost"),
            route == Route.SMARTHOST || routes.containsValue(Route.SMARTHOST));
    Fields shs = f.section("smarthosts");
    Map<String, MailsealConfig.Smarthost> smarthosts = new LinkedHashMap<>();
    for (String name : shs.keys()) {
      if (!SMARTHOST_NAME.matcher(name).matches() || "default".equals(name)) {
        shs.problemAtKey(
            name, "a smarthost name is lower-case letters, digits and -, and not default");
        shs.raw(name);
        continue;
      }
      smarthosts.put(name, smarthost(shs.section(name), true));
    }
    shs.finish();
    Fields sr = f.section("sender-routes");
    Map<String, String> senderRoutes = new LinkedHashMap<>();
    for (String key : sr.keys()) {
      String k = key.toLowerCase(Locale.ROOT);
      String domain = k.substring(k.lastIndexOf('@') + 1);
      if (!DOMAIN.matcher(domain).matches() || k.indexOf('@') != k.lastIndexOf('@')) {
        sr.problemAtKey(key, "not a sender address or domain");
        sr.raw(key);
        continue;
      }
      String target = sr.string(key, "");
      if (!"default".equals(target) && !smarthosts.containsKey(target)) {
        sr.problem(
            sr.raw(key),
            sr.path(key),
            "names no smarthost: use default or one of delivery.smarthosts " + smarthosts.keySet());
        continue;
      }
      senderRoutes.put(k, target);
    }
    boolean viaSmarthost = route == Route.SMARTHOST || routes.containsValue(Route.SMARTHOST);
    if (!senderRoutes.isEmpty() && !viaSmarthost) {
      f.problemAtKey(
          "sender-routes", "applies to the smarthost route only: set route or routes to smarthost");
    } else if (senderRoutes.containsValue("default") && smarthost.host().isEmpty()) {
      f.problemAtKey("sender-routes", "routes to default, but delivery.smarthost has no host");
    }
    sr.finish();
    Fields mx = f.section("mx");
    MailsealConfig.Mx m =
        new MailsealConfig.Mx(
            mx.strings(
                "egress-ipv4",
                v -> isIp(v) && !v.contains(":") ? null : "not an IPv4 address: " + v),
            mx.strings(
                "egress-ipv6",
                v -> isIp(v) && v.contains(":") ? null : "not an IPv6 address: " + v),
            mx.integer("port", 25, 1, 65535),
            mx.integer("connections-per-destination", 2, 1, 100));
    mx.finish();
    int workers = f.integer("workers", 4, 1, 256);
    Optional<Duration> warn =
        f.has("delay-warning")
            ? Optional.of(f.positiveDuration("delay-warning", Duration.ofHours(4)))
            : Optional.empty();
    f.finish();
    return new MailsealConfig.Delivery(
        route, dir, smarthost, m, workers, warn, routes, smarthosts, senderRoutes);
  }

  private static final Pattern SMARTHOST_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** One smarthost: {@code delivery.smarthost} or an entry of {@code delivery.smarthosts}. */
  private static MailsealConfig.Smarthost smarthost(Fields sh, boolean required) {
    String host = required ? sh.required("host") : sh.string("host", "");
    SmarthostTls tls = sh.choice("tls", SmarthostTls.STARTTLS);
    int port = sh.integer("port", tls == SmarthostTls.IMPLICIT ? 465 : 587, 1, 65535);
    String user = sh.string("username", "");
    MailsealConfig.SmarthostAuth auth = sh.choice("auth", MailsealConfig.SmarthostAuth.PASSWORD);
    if (!user.isEmpty() && tls == SmarthostTls.NONE) {
      sh.problem(
          sh.raw("username"),
          sh.path("username"),
          "AUTH would send the password in clear: with a username, tls must be starttls or"
              + " implicit");
    }
    Optional<SecretRef> password = secret(sh, "password");
    Optional<MailsealConfig.OAuth2> oauth2 = Optional.empty();
    if (auth == MailsealConfig.SmarthostAuth.OAUTH2) {
      if (user.isEmpty()) {
        sh.problem(
            sh.raw("auth"), sh.path("username"), "auth: oauth2 needs the account as username");
      }
      if (password.isPresent()) {
        sh.problemAtKey(
            sh.has("password-file") ? "password-file" : "password-env",
            "auth: oauth2 uses oauth2.refresh-token-file, not a password");
      }
      oauth2 = Optional.of(oauth2(sh.section("oauth2")));
    } else {
      if (sh.has("oauth2")) {
        sh.problemAtKey("oauth2", "set auth: oauth2 to use it");
        sh.raw("oauth2");
      }
      if (!user.isEmpty() && password.isEmpty()) {
        sh.problem(sh.raw("username"), sh.path("username"), "needs password-env or password-file");
      }
    }
    Optional<Path> ca = optionalPath(sh, "ca-file");
    int pool = sh.integer("pool-size", 4, 1, 100);
    sh.finish();
    return new MailsealConfig.Smarthost(host, port, tls, user, password, ca, pool, auth, oauth2);
  }

  private static MailsealConfig.OAuth2 oauth2(Fields o) {
    Optional<MailsealConfig.OAuthProvider> provider =
        o.optionalChoice("provider", MailsealConfig.OAuthProvider.GOOGLE);
    String tenant = o.string("tenant", "organizations");
    if (o.has("tenant") && !provider.equals(Optional.of(MailsealConfig.OAuthProvider.MICROSOFT))) {
      o.problemAtKey("tenant", "only provider: microsoft has a tenant");
    }
    Optional<Provider> preset = provider.map(p -> Provider.valueOf(p.name()));
    URI token = uri(o, "token-endpoint", preset.map(p -> p.tokenEndpoint(tenant)));
    URI authorize =
        uri(
            o,
            "authorization-endpoint",
            Optional.of(preset.map(p -> p.authorizationEndpoint(tenant)).orElse(token)));
    String clientId = o.required("client-id");
    Optional<SecretRef> secret = secret(o, "client-secret");
    String refresh = o.required("refresh-token-file");
    String scope = o.string("scope", preset.map(Provider::scope).orElse(""));
    if (scope.isBlank()) {
      o.problemMissing("scope", "is required without a provider");
    }
    o.finish();
    return new MailsealConfig.OAuth2(
        provider, tenant, token, authorize, clientId, secret, Path.of(refresh), scope);
  }

  /** An https (or, for tests on loopback, http) URL; {@code preset} when absent. */
  private static URI uri(Fields f, String key, Optional<URI> preset) {
    String v = f.string(key, null);
    if (v == null) {
      if (preset.isEmpty()) {
        f.problemMissing(key, "is required without a provider");
        return URI.create("https://invalid.invalid/");
      }
      return preset.get();
    }
    try {
      URI u = new URI(v.strip());
      boolean loopback = "127.0.0.1".equals(u.getHost()) || "localhost".equals(u.getHost());
      if (!"https".equals(u.getScheme()) && !("http".equals(u.getScheme()) && loopback)) {
        f.problem(f.raw(key), f.path(key), "must be an https URL, found " + v);
      }
      return u;
    } catch (URISyntaxException e) {
      f.problem(f.raw(key), f.path(key), "not a URL: " + v);
      return URI.create("https://invalid.invalid/");
    }
  }

  private static MailsealConfig.Domain domain(
      String name, Fields f, Duration spoolMaxAge, Map<String, MailsealConfig.DnsUpdate> updates) {
    List<KeyAlgorithm> algorithms =
        f
            .strings(
                "algorithms",
                v ->
                    List.of("rsa", "ed25519").contains(v)
                        ? null
                        : "must be rsa or ed25519, found " + v)
            .stream()
            .filter(v -> List.of("rsa", "ed25519").contains(v))
            .map(KeyAlgorithm::parse)
            .distinct()
            .toList();
    if (!f.has("algorithms")) {
      algorithms = List.of(KeyAlgorithm.RSA, KeyAlgorithm.ED25519);
    } else if (algorithms.isEmpty()) {
      f.problem(f.raw("algorithms"), f.path("algorithms"), "needs rsa, ed25519 or both");
    }
    int bits = f.integer("rsa-bits", 2048, 1, 65536);
    if (bits != 2048 && bits != 3072 && bits != 4096) {
      f.problem(f.raw("rsa-bits"), f.path("rsa-bits"), "must be 2048, 3072 or 4096, found " + bits);
    }

    Fields r = f.section("rotation");
    String schedule = r.string("schedule", "0 0 3 1 1/3 ?");
    try {
      CronExpression.validateExpression(schedule);
    } catch (ParseException e) {
      r.problem(
          r.raw("schedule") == null ? new YamlNode.Scalar(null, false, 1, 1) : r.raw("schedule"),
          r.path("schedule"),
          "not a Quartz cron expression ("
              + e.getMessage()
              + "), e.g. \"0 0 3 1 1/3 ?\" for 03:00 on the 1st every quarter");
    }
    Duration grace = r.duration("grace", Duration.ofDays(14));
    Duration minimum = spoolMaxAge.plus(GRACE_MARGIN);
    if (grace.compareTo(minimum) < 0) {
      r.problem(
          r.raw("grace") == null ? new YamlNode.Scalar(null, false, 1, 1) : r.raw("grace"),
          r.path("grace"),
          "must be at least spool.max-age plus one day ("
              + minimum.toDays()
              + "d): a message may wait that long before it leaves, signed with the old key");
    }
    MailsealConfig.Rotation rotation =
        new MailsealConfig.Rotation(
            schedule,
            r.duration("prepublish", Duration.ofHours(72)),
            grace,
            r.duration("dns-deadline", Duration.ofDays(7)),
            r.choice("dns-check", DnsCheck.SYSTEM),
            r.strings("dns-servers"),
            new Command(r.strings("publish-command")),
            Optional.ofNullable(r.string("publish", null)));
    rotation
        .publish()
        .filter(p -> !updates.containsKey(p))
        .ifPresent(
            p ->
                r.problem(
                    r.raw("publish"),
                    r.path("publish"),
                    "no dns-updates entry named "
                        + p
                        + (updates.isEmpty()
                            ? " (there is no dns-updates section)"
                            : " (there are: " + String.join(", ", updates.keySet()) + ")")));
    if (rotation.dnsCheck() == DnsCheck.SERVERS && rotation.dnsServers().isEmpty()) {
      r.problem(
          r.raw("dns-check"),
          r.path("dns-servers"),
          "dns-check: servers needs dns-servers, e.g. [\"192.0.2.53\"]");
    }
    r.finish();

    Fields spf = f.section("spf");
    MailsealConfig.Spf s =
        new MailsealConfig.Spf(
            spf.choice("stance", SpfStance.AUDIT),
            spf.strings(
                "include",
                v ->
                    DOMAIN.matcher(v.toLowerCase(Locale.ROOT)).matches()
                        ? null
                        : "not a domain name: " + v),
            spf.strings(
                "ip4", v -> ipOrCidr(v, false) ? null : "not an IPv4 address or network: " + v),
            spf.strings(
                "ip6", v -> ipOrCidr(v, true) ? null : "not an IPv6 address or network: " + v),
            spf.strings("extra"));
    spf.finish();

    Fields dm = f.section("dmarc");
    MailsealConfig.Dmarc dmarc =
        new MailsealConfig.Dmarc(
            dm.choice("p", DmarcPolicy.NONE),
            dm.optionalChoice("sp", DmarcPolicy.NONE),
            dm.optionalChoice("np", DmarcPolicy.NONE),
            dm.bool("test-mode", false),
            dm.strings("rua", ConfigLoader::mailto),
            dm.strings("ruf", ConfigLoader::mailto),
            dm.choice("adkim", Alignment.RELAXED),
            dm.choice("aspf", Alignment.RELAXED),
            dm.string("fo", "0"),
            ramp(dm.section("ramp")));
    if (!dmarc.fo().matches("[01ds](:[01ds])*")) {
      dm.problem(
          dm.raw("fo"),
          dm.path("fo"),
          "must be 0, 1, d or s, colon-separated, found " + dmarc.fo());
    }
    if (dm.has("pct") || dm.has("rf") || dm.has("ri")) {
      for (String removed : List.of("pct", "rf", "ri")) {
        if (dm.has(removed)) {
          dm.problemAtKey(
              removed, "removed by RFC 9989 (DMARCbis); use test-mode: true to try a policy");
          dm.raw(removed);
        }
      }
    }
    dm.finish();
    java.util.Set<MailsealConfig.PublishedRecord> publishRecords =
        java.util.EnumSet.of(MailsealConfig.PublishedRecord.DKIM);
    if (f.has("publish-records")) {
      publishRecords = java.util.EnumSet.noneOf(MailsealConfig.PublishedRecord.class);
      for (String v :
          f.strings(
              "publish-records",
              v ->
                  List.of("dkim", "spf", "dmarc").contains(v.strip().toLowerCase(Locale.ROOT))
                      ? null
                      : "must be dkim, spf or dmarc, found " + v)) {
        publishRecords.add(
            MailsealConfig.PublishedRecord.valueOf(v.strip().toUpperCase(Locale.ROOT)));
      }
      if (rotation.publish().isEmpty()) {
        f.problem(
            f.raw("publish-records"),
            f.path("publish-records"),
            "records are written only through rotation.publish (a dns-updates entry), which is"
                + " not set");
      }
    }
    boolean parked = f.bool("parked", false);
    if (parked) {
      for (String signing : List.of("algorithms", "rsa-bits", "rotation")) {
        if (f.has(signing)) {
          f.problemAtKey(signing, "a parked domain has no keys: remove " + signing + " or parked");
        }
      }
    }
    f.finish();
    return new MailsealConfig.Domain(
        name, algorithms, bits, rotation, s, dmarc, parked, publishRecords);
  }

  private static MailsealConfig.Ramp ramp(Fields f) {
    String percent = f.string("aligned-percent", "99");
    double share = 99;
    try {
      share = Double.parseDouble(percent);
      if (!(share > 0 && share <= 100)) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      f.problem(
          f.raw("aligned-percent"),
          f.path("aligned-percent"),
          "must be a percentage above 0 and at most 100, e.g. 99, found " + percent);
    }
    MailsealConfig.Ramp r =
        new MailsealConfig.Ramp(
            share,
            days(f, "quarantine-after", 14),
            days(f, "drop-test-after", 14),
            days(f, "reject-after", 30));
    f.finish();
    return r;
  }

  private static Duration days(Fields f, String key, int fallback) {
    Duration d = f.duration(key, Duration.ofDays(fallback));
    if (d.toDays() < 1) {
      f.problem(f.raw(key), f.path(key), "must be at least one day, e.g. 14d");
    }
    return d;
  }

  private static MailsealConfig.DmarcReports dmarcReports(Fields dmarc) {
    Fields f = dmarc.section("reports");
    Path dir = f.file("directory", "var/reports");
    Optional<MailsealConfig.Imap> imap = Optional.empty();
    if (f.has("imap")) {
      imap = Optional.of(imap(f.section("imap")));
    }
    f.finish();
    dmarc.finish();
    return new MailsealConfig.DmarcReports(dir, imap);
  }

  private static MailsealConfig.Imap imap(Fields f) {
    String host = f.required("host");
    MailsealConfig.ImapTls tls = f.choice("tls", MailsealConfig.ImapTls.IMPLICIT);
    int port = f.integer("port", tls == MailsealConfig.ImapTls.IMPLICIT ? 993 : 143, 1, 65535);
    String user = f.required("username");
    Optional<SecretRef> password = secret(f, "password");
    if (password.isEmpty()) {
      f.problem(f.raw("username"), f.path("password-file"), "needs password-env or password-file");
    }
    String folder = f.string("folder", "INBOX");
    String after = f.string("after-read", "mark");
    MailsealConfig.AfterRead afterRead = MailsealConfig.AfterRead.MARK;
    String moveTo = "";
    if (after.startsWith("move:") && !after.substring(5).isBlank()) {
      moveTo = after.substring(5).strip();
      afterRead = MailsealConfig.AfterRead.MOVE;
    } else if (!"mark".equals(after)) {
      f.problem(
          f.raw("after-read"),
          f.path("after-read"),
          "must be mark (flag read messages seen) or move:<folder>, found " + after);
    }
    Optional<Path> ca = optionalPath(f, "ca-file");
    Duration interval = f.duration("interval", Duration.ofHours(1));
    f.finish();
    return new MailsealConfig.Imap(
        host,
        port,
        tls,
        user,
        password.orElse(new SecretRef("MAILSEAL_DMARC_IMAP_PASSWORD", null)),
        folder,
        afterRead,
        moveTo,
        ca,
        interval);
  }

  private static String mailto(String v) {
    String t = v.strip();
    if (!t.toLowerCase(Locale.ROOT).startsWith("mailto:")
        || !ADDRESS.matcher(t.substring(7)).matches()) {
      return "must be a mailto: address, e.g. mailto:dmarc@example.com, found " + v;
    }
    return null;
  }

  static boolean isIp(String v) {
    String t = v.strip();
    if (!t.matches("[0-9.]+") && !t.matches("[0-9a-fA-F:.]+")) {
      return false; // never a host name: no DNS lookups while reading the config
    }
    try {
      InetAddress.getByName(t);
      return t.contains(":") || t.split("\\.").length == 4;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static boolean ipOrCidr(String v, boolean six) {
    String t = v.strip();
    int slash = t.indexOf('/');
    String ip = slash < 0 ? t : t.substring(0, slash);
    if (!isIp(ip) || ip.contains(":") != six) {
      return false;
    }
    if (slash < 0) {
      return true;
    }
    try {
      int bits = Integer.parseInt(t.substring(slash + 1));
      return bits >= 0 && bits <= (six ? 128 : 32);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Stable lines describing the effective configuration, secrets masked, for the start log. */
  public static List<String> describe(MailsealConfig c) {
    return EffectiveConfig.lines(c);
  }
}
