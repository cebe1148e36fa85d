// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.mailseal.config.MailsealConfig;
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
import org.mailseal.records.DnsChecker;
import org.mailseal.relay.DnsExport;
import org.mailseal.relay.KeyOperations;
import org.mailseal.relay.RotationSetup;
import org.mailseal.rotation.Reconciler;
import org.mailseal.rotation.Transition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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
  private KeysCommand() {}

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

    @Spec CommandSpec spec;

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
      try {
        selectors =
            template != null
                ? new SelectorTemplate(template)
                : store
                    .configuration()
                    .map(c -> c.keys().selectorTemplate())
                    .orElse(SelectorTemplate.DEFAULT);
      } catch (IllegalArgumentException e) {
        throw new CliException("--selector-template: " + e.getMessage());
      }
      Clock clock = Clock.systemUTC();
      KeyOperations operations =
          new KeyOperations(store.open(clock), selectors, clock, new SecureRandom());
      PrintWriter out = spec.commandLine().getOut();
      try {
        for (DkimKey key : operations.generate(d, algorithms, bits, KeyState.PENDING)) {
          out.println(
              "; "
                  + KeyOperations.describe(key)
                  + " key "
                  + key.selector()
                  + " for "
                  + d
                  + " is PENDING: publish this record");
          out.println(DnsExport.zoneLine(key));
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

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
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

    @Spec CommandSpec spec;

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
      out.println("algorithm:  " + KeyOperations.describe(k));
      out.println("state:      " + k.state());
      out.println("created:    " + k.created());
      out.println("activated:  " + k.activated().map(Instant::toString).orElse("-"));
      out.println("retired:    " + k.retired().map(Instant::toString).orElse("-"));
      out.println("revoked:    " + k.revoked().map(Instant::toString).orElse("-"));
      out.println("record:");
      out.println(DnsExport.zoneLine(k));
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

    @Spec CommandSpec spec;

    abstract KeyState target();

    /** A last check before the move; refuses with a CliException. */
    void check(DkimKey key) throws Exception {}

    @Override
    public Integer call() throws Exception {
      String d = domain(domain);
      Selector s = selector(selector);
      KeyStore keys = store.open(Clock.systemUTC());
      PrintWriter out = spec.commandLine().getOut();
      try {
        List<DkimKey> before = keys.list(d);
        Optional<DkimKey> key = before.stream().filter(k -> k.selector().equals(s)).findFirst();
        if (key.isPresent()) {
          check(key.get());
        }
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
          out.println(DnsExport.revocationLine(moved));
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
    @Mixin DnsServerOption dns;

    @Option(
        names = "--force",
        description =
            "Activate although DNS does not show the key's record (receivers cannot verify it).")
    boolean force;

    @Override
    KeyState target() {
      return KeyState.ACTIVE;
    }

    @Override
    void check(DkimKey key) throws Exception {
      if (key.state() != KeyState.PENDING || force) {
        return;
      }
      if (!publishedView(store, dns, key.domain()).test(key)) {
        throw new CliException(
            key.selector()
                + " of "
                + key.domain()
                + ": DNS does not show its record, so receivers could not verify what it signs."
                + " Publish it first:\n"
                + DnsExport.zoneLine(key)
                + "\nor add --force to activate it anyway.",
            CliException.CHECK_FAILED);
      }
    }
  }

  /**
   * Whether DNS shows a key's record: at {@code --dns-server} when given, else as the configured
   * domain's {@code rotation.dns-check} says, else at the system resolver.
   */
  static Predicate<DkimKey> publishedView(KeyStoreOptions store, DnsServerOption dns, String domain)
      throws Exception {
    if (dns.dnsServer != null) {
      return Reconciler.dnsView(new DnsChecker(dns.lookup()));
    }
    Optional<MailsealConfig> config = store.configuration();
    if (config.isPresent() && config.get().domain(domain).isPresent()) {
      return RotationSetup.dnsView(config.get());
    }
    return Reconciler.dnsView(new DnsChecker(dns.lookup()));
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
        "Import an existing key (an opendkim-genkey .private file, or PKCS#8 PEM) under its",
        "current selector, so that its published record keeps working."
      })
  static final class Import implements Callable<Integer> {
    @Mixin KeyStoreOptions store;

    @Mixin DnsServerOption dns;

    @Option(names = "--domain", required = true)
    String domain;

    @Option(names = "--selector", required = true)
    String selector;

    @Option(
        names = "--state",
        description = {
          "pending or active. Default: active when DNS already shows the key's exact record (as",
          "when moving from OpenDKIM), else pending until it does."
        })
    String state;

    @Parameters(paramLabel = "FILE", description = "The private key.")
    Path file;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String d = domain(domain);
      Selector s = selector(selector);
      Optional<KeyState> asked = Optional.empty();
      if (state != null) {
        switch (state.strip().toLowerCase(Locale.ROOT)) {
          case "pending":
            asked = Optional.of(KeyState.PENDING);
            break;
          case "active":
            asked = Optional.of(KeyState.ACTIVE);
            break;
          default:
            throw new CliException("--state: " + state + " (pending or active)");
        }
      }
      PrivateKey key;
      KeyAlgorithm algorithm;
      try {
        key = PemKeys.readPrivateKey(file);
        algorithm = KeyAlgorithm.of(key);
      } catch (KeyFormatException | IllegalArgumentException e) {
        throw new CliException(file + ": " + e.getMessage());
      }
      Optional<MailsealConfig.Domain> configured = store.configuration().flatMap(c -> c.domain(d));
      if (configured.isPresent() && !configured.get().algorithms().contains(algorithm)) {
        throw new CliException(
            file
                + " is an "
                + algorithm.tag()
                + " key, but "
                + d
                + " signs with "
                + configured.get().algorithms().stream().map(KeyAlgorithm::tag).toList()
                + " only (domains."
                + d
                + ".algorithms): it would never sign; add "
                + algorithm.tag()
                + " there first");
      }
      PrintWriter out = spec.commandLine().getOut();
      try {
        KeyStore keys = store.open(Clock.systemUTC());
        DkimKey k = keys.add(d, s, key, asked.orElse(KeyState.PENDING));
        boolean shown = false;
        if (asked.isEmpty()) {
          shown = publishedView(store, dns, d).test(k);
          if (shown) {
            k = keys.transition(d, s, KeyState.ACTIVE);
          }
        }
        out.println(
            "; imported "
                + KeyOperations.describe(k)
                + " key "
                + s
                + " for "
                + d
                + " as "
                + k.state()
                + (asked.isPresent()
                    ? " (--state)"
                    : shown ? " (DNS shows its record)" : " (DNS does not show its record yet)")
                + "; DNS must show this record:");
        out.println(DnsExport.zoneLine(k));
        if (k.state() == KeyState.PENDING) {
          out.println(
              "; next: publish it, then: mailseal keys activate --domain "
                  + d
                  + " --selector "
                  + s
                  + " (or let serve activate it once DNS shows it)");
        }
      } catch (KeyStoreException e) {
        throw failure(e);
      } catch (IllegalArgumentException e) {
        throw new CliException(file + ": " + e.getMessage());
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Generate new keys for a configured domain now, outside its schedule; they are PENDING",
        "and sign once published and activated (keys reconcile, or the running server)."
      })
  static final class Rotate implements Callable<Integer> {
    @Mixin KeyStoreOptions store;

    @Option(names = "--domain", required = true)
    String domain;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String d = domain(domain);
      MailsealConfig config =
          store
              .configuration()
              .orElseThrow(
                  () -> new CliException("keys rotate needs the configuration (--config FILE)"));
      MailsealConfig.Domain dom =
          config.domain(d).orElseThrow(() -> new CliException(d + " is not a configured domain"));
      Clock clock = Clock.systemUTC();
      KeyOperations operations =
          new KeyOperations(
              store.open(clock), config.keys().selectorTemplate(), clock, new SecureRandom());
      PrintWriter out = spec.commandLine().getOut();
      try {
        for (DkimKey key : operations.generate(dom, KeyState.PENDING)) {
          out.println(
              "; "
                  + KeyOperations.describe(key)
                  + " key "
                  + key.selector()
                  + " for "
                  + d
                  + " is PENDING: publish this record");
          out.println(DnsExport.zoneLine(key));
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
        "Run the rotation reconcile for every configured domain once, as the server's schedule",
        "does: generate due keys, activate published ones, revoke those past their grace."
      })
  static final class Reconcile implements Callable<Integer> {
    @Mixin KeyStoreOptions store;

    @Mixin DnsServerOption dns;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      MailsealConfig config =
          store
              .configuration()
              .orElseThrow(
                  () -> new CliException("keys reconcile needs the configuration (--config FILE)"));
      Clock clock = Clock.systemUTC();
      KeyStore keys = store.open(clock);
      Reconciler reconciler =
          RotationSetup.reconciler(
              config,
              keys,
              clock,
              new SecureRandom(),
              dns.dnsServer == null
                  ? RotationSetup.dnsView(config)
                  : Reconciler.dnsView(new DnsChecker(dns.lookup())));
      PrintWriter out = spec.commandLine().getOut();
      boolean late = false;
      try {
        for (String d : config.domainNames()) {
          for (Transition t :
              reconciler.reconcile(d, RotationSetup.policy(config.domains().get(d)))) {
            out.println(t.describe());
            late |= t instanceof Transition.DnsLate;
          }
          DnsExport.export(config, keys, d, clock);
        }
      } catch (KeyStoreException e) {
        throw failure(e);
      }
      out.flush();
      return late ? CliException.CHECK_FAILED : 0;
    }
  }
}
