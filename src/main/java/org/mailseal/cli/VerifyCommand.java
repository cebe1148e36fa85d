// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mailseal.dkim.DkimVerifier;
import org.mailseal.dkim.KeyResolver;
import org.mailseal.dkim.VerificationResult;
import org.mailseal.records.DnsKeyResolver;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Tokenizer;
import org.xbill.DNS.Type;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailseal verify}: checks every DKIM signature of each message. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verifies every DKIM-Signature of each FILE and prints one line per signature.",
      "Exits 0 only when every file has a signature and all of them pass."
    })
final class VerifyCommand implements Callable<Integer> {

  @picocli.CommandLine.Mixin DnsServerOption dns;

  @Option(
      names = "--key-record",
      paramLabel = "NAME=TXT",
      description = {
        "Use TXT as the key record at NAME (sel._domainkey.example.com=v=DKIM1; k=rsa; p=…);",
        "DNS is then not asked for NAME. Repeatable."
      })
  List<String> keyRecords = List.of();

  @Option(
      names = "--key-record-file",
      paramLabel = "ZONEFILE",
      description = {
        "Use the TXT records of a zone file (such as var/dns/<domain>.zone) as key records;",
        "DNS is then not asked for their names. Repeatable."
      })
  List<Path> keyRecordFiles = List.of();

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Messages to verify.")
  List<Path> files;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Map<String, String> given = new HashMap<>();
    for (String kr : keyRecords) {
      int eq = kr.indexOf('=');
      if (eq <= 0) {
        throw new CliException("--key-record: expected NAME=TXT, found " + kr);
      }
      given.put(normalize(kr.substring(0, eq)), unquote(kr.substring(eq + 1)));
    }
    for (Path zone : keyRecordFiles) {
      given.putAll(txtRecords(zone));
    }
    for (Path f : files) {
      if (!Files.isReadable(f) || Files.isDirectory(f)) {
        throw new CliException(f + ": " + (Files.exists(f) ? "cannot read" : "no such file"));
      }
    }
    KeyResolver fromDns = new DnsKeyResolver(dns.lookup());
    KeyResolver resolver =
        (domain, selector) -> {
          String record = given.get(normalize(selector + "._domainkey." + domain));
          return record != null ? List.of(record) : fromDns.resolve(domain, selector);
        };
    DkimVerifier verifier = new DkimVerifier(resolver, Clock.systemUTC());
    PrintWriter out = spec.commandLine().getOut();
    boolean allPass = true;
    for (Path f : files) {
      List<VerificationResult> results;
      try (InputStream in = Files.newInputStream(f)) {
        results = verifier.verify(in);
      } catch (NoSuchFileException e) {
        throw new CliException(f + ": no such file");
      }
      if (results.isEmpty()) {
        out.println(f + ": dkim=none (no signature)");
        allPass = false;
      }
      for (VerificationResult r : results) {
        out.println(f + ": " + describe(r));
        allPass &= r instanceof VerificationResult.Pass;
      }
    }
    out.flush();
    return allPass ? 0 : CliException.CHECK_FAILED;
  }

  /** {@code dkim=pass d=… s=… a=…} or {@code dkim=fail (reason) d=… s=… a=…}. */
  static String describe(VerificationResult r) {
    StringBuilder sb = new StringBuilder("dkim=").append(r.result());
    if (!r.reason().isEmpty()) {
      sb.append(" (").append(r.reason()).append(')');
    }
    if (!r.domain().isEmpty()) {
      sb.append(" d=").append(r.domain());
    }
    if (!r.selector().isEmpty()) {
      sb.append(" s=").append(r.selector());
    }
    if (!r.algorithm().isEmpty()) {
      sb.append(" a=").append(r.algorithm());
    }
    return sb.toString();
  }

  /**
   * A value as a zone file writes it ({@code "v=DKIM1; k=rsa; " "p=MIIB…"}): its character-strings
   * joined, as a verifier reads them (RFC 6376 §3.6.2.2). A value without quotes is taken as is.
   */
  static String unquote(String value) {
    String v = value.strip();
    if (!v.startsWith("\"")) {
      return value;
    }
    try {
      TXTRecord txt =
          (TXTRecord)
              Record.fromString(Name.root, Type.TXT, DClass.IN, 0, new Tokenizer(v), Name.root);
      return String.join("", txt.getStrings());
    } catch (IOException e) {
      throw new CliException("--key-record: not a TXT value as a zone file writes it: " + v);
    }
  }

  /** Every TXT record of a zone file, by name, its strings joined. */
  private static Map<String, String> txtRecords(Path zone) {
    Map<String, String> out = new HashMap<>();
    try (Master master = new Master(zone.toString(), Name.root)) {
      for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
        if (r instanceof TXTRecord t) {
          out.put(normalize(t.getName().toString()), String.join("", t.getStrings()));
        }
      }
    } catch (NoSuchFileException e) {
      throw new CliException("--key-record-file: " + zone + ": no such file");
    } catch (IOException e) {
      throw new CliException("--key-record-file: " + zone + ": " + e.getMessage());
    }
    return out;
  }

  private static String normalize(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
