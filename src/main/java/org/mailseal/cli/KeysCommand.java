// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.mailseal.dns.TxtRecord;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyFormatException;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.KeyState;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.KeyStoreException;
import org.mailseal.keys.PemKeys;
import org.mailseal.keys.Selector;
import org.mailseal.keys.SelectorTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailseal keys …}: the DKIM key store. Private keys are never printed. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Generate, import, list and change the state of DKIM keys.",
    subcommands = {
      KeysCommand.Generate.class,
      KeysCommand.ListKeys.class,
      KeysCommand.Show.class,
      KeysCommand.Activate.class,
      KeysCommand.Retire.class,
      KeysCommand.Revoke.class,
      KeysCommand.Import.class,
      KeysCommand.Rotate.class,
      KeysCommand.Reconcile.class
    })
final class KeysCommand {
  /** TTL of the records we print; short enough that a fix propagates within the hour. */
  static final int TTL = 3600;

  private KeysCommand() {}

  /** The record to publish for {@code key}, as one zone-file line. */
  static String zoneLine(DkimKey key) {
    return key.recordName()
        + ". "
        + TTL
        + " IN TXT "
        + TxtRecord.split(key.record().render()).zoneText();
  }

  static String describe(DkimKey k) {
    return k.algorithm().tag() + (k.algorithm() == KeyAlgorithm.RSA ? "-" + k.bits() : "");
  }

  static Selector selector(String text) {
    try {
      return new Selector(text);
    } catch (IllegalArgumentException e) {
      throw new CliException("--selector: " + e.getMessage());
    }
  }

  static String domain(String text) {
    try {
      return DkimKey.domainName(text);
    } catch (IllegalArgumentException e) {
      throw new CliException("--domain: " + e.getMessage());
    }
  }

  static CliException failure(KeyStoreException e) {
    return new CliException(e.getMessage());
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = "Make new PENDING key(s) and print the DNS record(s) to publish.")
  static final class Generate implements Callable<Integer> {
    @Mixin KeyStoreOptions store;

    @Option(names = "--domain", required = true, description = "Signing domain.")
    String domain;

    @Option(
        names = "--algorithm",
        defaultValue = "rsa",
        description = "rsa, ed25519 or both (default: ${DEFAULT-VALUE}).")
    String algorithm;

    @Option(
        names = "--bits",
        defaultValue = "2048",
        description = "RSA key size: 2048, 3072 or 4096 (default: ${DEFAULT-VALUE}).")
    int bits;

    @Option(
        names = "--selector-template",
        description =
            "Selector pattern (default: keys.selector-template of the configuration, or s{yyyyMMdd}{a}).")
    String template;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String d = domain(domain);
      List<KeyAlgorithm> algorithms;
      switch (algorithm.strip().toLowerCase(Locale.ROOT)) {
        case "both":
          algorithms = List.of(KeyAlgorithm.RSA, KeyAlgorithm.ED25519);
          break;
        case "rsa":
        case "ed25519":
          algorithms = List.of(KeyAlgorithm.parse(algorithm));
          break;
        default:
          throw new CliException("--algorithm: " + algorithm + " (rsa, ed25519 or both)");
      }
      if (algorithms.contains(KeyAlgorithm.RSA)) {
        try {
          KeyGenerator.checkRsaBits(bits);
        } catch (IllegalArgumentException e) {
          throw new CliException("--bits: " + e.getMessage());
        }
      }
      SelectorTemplate selectors;
      String pattern =
          template != null
              ? template
              : store
                  .configuration()
                  .map(c -> c.keys().selectorTemplate())
                  .orElse("s{yyyyMMdd}{a}");
      try {
        selectors = new SelectorTemplate(pattern);
      } catch (IllegalArgumentException e) {
        throw new CliException("--selector-template: " + e.getMessage());
      }
      Clock clock = Clock.systemUTC();
      KeyStore keys = store.open(clock);
      KeyGenerator generator = new KeyGenerator(new SecureRandom());
      PrintWriter out = spec.commandLine().getOut();
      try {
        Set<String> taken = new HashSet<>();
        keys.list(d).forEach(k -> taken.add(k.selector().value()));
        for (KeyAlgorithm a : algorithms) {
          Selector s = selectors.render(LocalDate.now(clock), a, taken);
          taken.add(s.value());
          KeyPair pair = generator.generate(a, bits);
          DkimKey key = keys.add(d, s, pair.getPrivate(), KeyState.PENDING);
          out.println(
              "; "
                  + describe(key)
                  + " key "
                  + s
                  + " for "
                  + d
                  + " is PENDING: publish this record");
          out.println(zoneLine(key));
        }
        out.println(
            "; a PENDING key signs nothing until it is activated: keys activate --domain "
                + d
                + " --selector SELECTOR");
      } catch (KeyStoreException e) {
        throw failure(e);
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys.")
  static final class ListKeys implements Callable<Integer> {
    @Mixin KeyStoreOptions store;

    @Option(names = "--domain", description = "Only this domain.")
    String domain;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      List<DkimKey> keys;
      try {
        KeyStore s = store.open(Clock.systemUTC());
        keys = domain == null ? s.list() : s.list(domain(domain));
      } catch (KeyStoreException e) {
        throw failure(e);
      }
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {
            "DOMAIN",
            "SELECTOR",
            "ALGORITHM",
            "BITS",
            "STATE",
            "CREATED",
            "ACTIVATED",
            "RETIRED",
            "REVOKED"
          });
      for (DkimKey k : keys) {
        rows.add(
            new String[] {
              k.domain(),
              k.selector().value(),
              k.algorithm().tag(),
              String.valueOf(k.bits()),
              k.state().name(),
              date(Optional.of(k.created())),
              date(k.activated()),
              date(k.retired()),
              date(k.revoked())
            });
      }
      PrintWriter out = spec.commandLine().getOut();
      int[] widths = new int[rows.get(0).length];
      for (String[] r : rows) {
        for (int i = 0; i < r.length; i++) {
          widths[i] = Math.max(widths[i], r[i].length());
        }
      }
      for (String[] r : rows) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < r.length; i++) {
          sb.append(i == r.length - 1 ? r[i] : String.format("%-" + (widths[i] + 2) + "s", r[i]));
        }
        out.println(sb.toString().stripTrailing());
      }
      out.flush();
      return 0;
    }

    private static String date(Optional<Instant> t) {
      return t.map(i -> i.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
          .orElse("-");
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show one key: its state, dates, DNS record and public key.")
  static final class Show implements Callable<Integer> {
    @Mixin KeyStoreOptions store;

    @Option(names = "--domain", required = true)
    String domain;

    @Option(names = "--selector", required = true)
    String selector;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String d = domain(domain);
      Selector s = selector(selector);
      DkimKey k;
      try {
        k =
            store
                .open(Clock.systemUTC())
                .find(d, s)
                .orElseThrow(() -> new CliException("no key " + s + " for " + d));
      } catch (KeyStoreException e) {
        throw failure(e);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("domain:     " + k.domain());
      out.println("selector:   " + k.selector());
      out.println("algorithm:  " + describe(k));
      out.println("state:      " + k.state());
      out.println("created:    " + k.created());
      out.println("activated:  " + k.activated().map(Instant::toString).orElse("-"));
      out.println("retired:    " + k.retired().map(Instant::toString).orElse("-"));
      out.println("revoked:    " + k.revoked().map(Instant::toString).orElse("-"));
      out.println("record:");
      out.println(zoneLine(k));
      out.println("public key:");
      out.print(PemKeys.toPublicPem(k.record().toPublicKey()));
      out.flush();
      return 0;
    }
  }

  /** Shared body of activate, retire and revoke. */
  abstract static class Move implements Callable<Integer> {
    @Mixin KeyStoreOptions store;

    @Option(names = "--domain", required = true)
    String domain;

    @Option(names = "--selector", required = true)
    String selector;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    abstract KeyState target();

    /** A last check before the move; refuses with a CliException. */
    void check(DkimKey key) {}

    @Override
    public Integer call() {
      String d = domain(domain);
      Selector s = selector(selector);
      KeyStore keys = store.open(Clock.systemUTC());
      PrintWriter out = spec.commandLine().getOut();
      try {
        List<DkimKey> before = keys.list(d);
        before.stream().filter(k -> k.selector().equals(s)).findFirst().ifPresent(this::check);
        DkimKey moved = keys.transition(d, s, target());
        out.println(moved.selector() + " of " + d + " is now " + moved.state());
        for (DkimKey k : keys.list(d)) {
          before.stream()
              .filter(b -> b.selector().equals(k.selector()) && b.state() != k.state())
              .filter(b -> !b.selector().equals(s))
              .forEach(b -> out.println(k.selector() + " of " + d + " is now " + k.state()));
        }
        if (moved.state() == KeyState.REVOKED) {
          out.println(
              "; remove its record, or publish it with an empty p= so verifiers know it is revoked:");
          out.println(
              moved.recordName()
                  + ". "
                  + TTL
                  + " IN TXT "
                  + TxtRecord.split("v=DKIM1; k=" + moved.algorithm().tag() + "; p=").zoneText());
        }
      } catch (KeyStoreException e) {
        throw failure(e);
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "activate",
      mixinStandardHelpOptions = true,
      description = "Make a PENDING key sign; the ACTIVE key of its algorithm becomes RETIRED.")
  static final class Activate extends Move {
    @Override
    KeyState target() {
      return KeyState.ACTIVE;
    }
  }

  @Command(
      name = "retire",
      mixinStandardHelpOptions = true,
      description = "Stop signing with an ACTIVE key; it stays published.")
  static final class Retire extends Move {
    @Override
    KeyState target() {
      return KeyState.RETIRED;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Withdraw a key for good.")
  static final class Revoke extends Move {
    @Option(
        names = "--compromised",
        description = "Required to revoke an ACTIVE key: it stops signing at once.")
    boolean compromised;

    @Override
    KeyState target() {
      return KeyState.REVOKED;
    }

    @Override
    void check(DkimKey key) {
      if (key.state() == KeyState.ACTIVE && !compromised) {
        throw new CliException(
            key.selector()
                + " of "
                + key.domain()
                + " is ACTIVE: revoking it stops signing at once;"
                + " add --compromised if that is what you mean, or activate a successor first");
      }
    }
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = {
        "Import an existing key (an opendkim-genkey .private file, or PKCS#8 PEM) under its"
            + " current selector, so that its published record keeps working."
      })
  static final class Import implements Callable<Integer> {
    @Mixin KeyStoreOptions store;

    @Option(names = "--domain", required = true)
    String domain;

    @Option(names = "--selector", required = true)
    String selector;

    @Option(
        names = "--state",
        defaultValue = "pending",
        description = "pending or active (default: ${DEFAULT-VALUE}).")
    String state;

    @Parameters(paramLabel = "FILE", description = "The private key.")
    Path file;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      String d = domain(domain);
      Selector s = selector(selector);
      KeyState initial;
      switch (state.strip().toLowerCase(Locale.ROOT)) {
        case "pending":
          initial = KeyState.PENDING;
          break;
        case "active":
          initial = KeyState.ACTIVE;
          break;
        default:
          throw new CliException("--state: " + state + " (pending or active)");
      }
      PrivateKey key;
      try {
        key = PemKeys.readPrivateKey(file);
      } catch (KeyFormatException e) {
        throw new CliException(e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      try {
        DkimKey k = store.open(Clock.systemUTC()).add(d, s, key, initial);
        out.println(
            "; imported "
                + describe(k)
                + " key "
                + s
                + " for "
                + d
                + " as "
                + k.state()
                + "; DNS must show this record:");
        out.println(zoneLine(k));
      } catch (KeyStoreException e) {
        throw failure(e);
      } catch (IllegalArgumentException e) {
        throw new CliException(file + ": " + e.getMessage());
      }
      out.flush();
      return 0;
    }
  }

  /** The rotation policy of a configured domain. */
  static org.mailseal.rotation.RotationPolicy policy(org.mailseal.config.MailsealConfig.Domain d) {
    return new org.mailseal.rotation.RotationPolicy(
        d.algorithms().stream().map(KeyAlgorithm::parse).toList(),
        d.rsaBits(),
        d.rotation().schedule(),
        d.rotation().prepublish(),
        d.rotation().grace(),
        d.rotation().dnsDeadline());
  }

  /**
   * How the rotation asks DNS whether a new key is published, per domain as its {@code
   * rotation.dns-check} says: the system resolver, every one of {@code dns-servers}, or every
   * authoritative name server of the domain.
   */
  static java.util.function.Predicate<DkimKey> dnsView(org.mailseal.config.MailsealConfig config) {
    java.util.Map<String, java.util.function.Predicate<DkimKey>> views = new java.util.HashMap<>();
    for (String d : config.domainNames()) {
      org.mailseal.config.MailsealConfig.Rotation r = config.domains().get(d).rotation();
      switch (r.dnsCheck()) {
        case "servers":
          List<org.mailseal.dns.DnsChecker> checkers = new ArrayList<>();
          for (String server : r.dnsServers()) {
            try {
              checkers.add(
                  new org.mailseal.dns.DnsChecker(org.mailseal.dns.DnsjavaLookup.server(server)));
            } catch (IllegalArgumentException e) {
              throw new CliException("domains." + d + ".rotation.dns-servers: " + e.getMessage());
            }
          }
          views.put(d, org.mailseal.rotation.DnsViews.servers(checkers));
          break;
        case "authoritative":
          views.put(
              d,
              org.mailseal.rotation.DnsViews.authoritative(
                  new org.mailseal.dns.DnsChecker(org.mailseal.dns.DnsjavaLookup.system()),
                  org.mailseal.dns.DnsjavaLookup::server));
          break;
        default:
          views.put(
              d,
              org.mailseal.rotation.Reconciler.dnsView(
                  new org.mailseal.dns.DnsChecker(org.mailseal.dns.DnsjavaLookup.system())));
      }
    }
    return org.mailseal.rotation.DnsViews.byDomain(views);
  }

  /**
   * Keeps what {@code domain} should publish now in the export directory, as a BIND zone and as
   * JSON, so automation (or a person) always finds the current desired records; returns them.
   */
  static List<org.mailseal.dns.DnsRecord> export(
      org.mailseal.config.MailsealConfig config, KeyStore keys, String domain, Clock clock)
      throws KeyStoreException {
    java.nio.file.Path dir = config.keys().dnsExport();
    org.mailseal.config.MailsealConfig.Domain dom = config.domains().get(domain);
    List<org.mailseal.dns.DnsRecord> records =
        org.mailseal.dns.RecordPlan.forDomain(
            domain,
            keys.list(domain),
            java.util.Optional.of(PublishedPolicies.spf(config, dom)),
            java.util.Optional.of(PublishedPolicies.dmarc(dom)),
            clock.instant());
    try {
      java.nio.file.Files.createDirectories(dir);
      for (org.mailseal.dns.ZoneWriter.Format f :
          List.of(
              org.mailseal.dns.ZoneWriter.Format.BIND, org.mailseal.dns.ZoneWriter.Format.JSON)) {
        String name = domain + (f == org.mailseal.dns.ZoneWriter.Format.BIND ? ".zone" : ".json");
        org.mailseal.fs.AtomicFiles.write(
            dir.resolve(name),
            org.mailseal.dns.ZoneWriter.render(records, f)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      }
    } catch (java.io.IOException e) {
      throw new CliException("cannot write " + dir + ": " + e.getMessage());
    }
    return records;
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Generate new keys for a configured domain now, outside its schedule; they are PENDING"
            + " and sign once published and activated (keys reconcile, or the running server)."
      })
  static final class Rotate implements Callable<Integer> {
    @Mixin KeyStoreOptions store;

    @Option(names = "--domain", required = true)
    String domain;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String d = domain(domain);
      org.mailseal.config.MailsealConfig config =
          store
              .configuration()
              .orElseThrow(
                  () -> new CliException("keys rotate needs the configuration (--config FILE)"));
      org.mailseal.config.MailsealConfig.Domain dom =
          config.domain(d).orElseThrow(() -> new CliException(d + " is not a configured domain"));
      Clock clock = Clock.systemUTC();
      KeyStore keys = store.open(clock);
      SelectorTemplate template = new SelectorTemplate(config.keys().selectorTemplate());
      KeyGenerator generator = new KeyGenerator(new SecureRandom());
      PrintWriter out = spec.commandLine().getOut();
      try {
        Set<String> taken = new HashSet<>();
        keys.list(d).forEach(k -> taken.add(k.selector().value()));
        for (KeyAlgorithm a : policy(dom).algorithms()) {
          Selector s = template.render(LocalDate.now(clock), a, taken);
          taken.add(s.value());
          DkimKey key =
              keys.add(d, s, generator.generate(a, dom.rsaBits()).getPrivate(), KeyState.PENDING);
          out.println(
              "; "
                  + describe(key)
                  + " key "
                  + s
                  + " for "
                  + d
                  + " is PENDING: publish this record");
          out.println(zoneLine(key));
        }
      } catch (KeyStoreException e) {
        throw failure(e);
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "reconcile",
      mixinStandardHelpOptions = true,
      description = {
        "Run the rotation reconcile for every configured domain once, as the server's schedule"
            + " does: generate due keys, activate published ones, revoke those past their grace."
      })
  static final class Reconcile implements Callable<Integer> {
    @Mixin KeyStoreOptions store;

    @Mixin DnsServerOption dns;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      org.mailseal.config.MailsealConfig config =
          store
              .configuration()
              .orElseThrow(
                  () -> new CliException("keys reconcile needs the configuration (--config FILE)"));
      Clock clock = Clock.systemUTC();
      KeyStore keys = store.open(clock);
      org.mailseal.rotation.Reconciler reconciler =
          new org.mailseal.rotation.Reconciler(
              keys,
              new KeyGenerator(new SecureRandom()),
              new SelectorTemplate(config.keys().selectorTemplate()),
              clock,
              dns.dnsServer == null
                  ? dnsView(config)
                  : org.mailseal.rotation.Reconciler.dnsView(
                      new org.mailseal.dns.DnsChecker(dns.lookup())));
      PrintWriter out = spec.commandLine().getOut();
      boolean late = false;
      try {
        for (String d : config.domainNames()) {
          for (org.mailseal.rotation.Transition t :
              reconciler.reconcile(d, policy(config.domains().get(d)))) {
            out.println(t.describe());
            late |= t instanceof org.mailseal.rotation.Transition.DnsLate;
          }
          export(config, keys, d, clock);
        }
      } catch (KeyStoreException e) {
        throw failure(e);
      }
      out.flush();
      return late ? CliException.CHECK_FAILED : 0;
    }
  }
}
