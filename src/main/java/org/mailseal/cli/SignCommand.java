// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mailseal.dkim.Canonicalization;
import org.mailseal.dkim.DkimSignException;
import org.mailseal.dkim.DkimSigner;
import org.mailseal.dkim.SignOptions;
import org.mailseal.dkim.SignedHeaders;
import org.mailseal.keys.KeyFormatException;
import org.mailseal.keys.PemKeys;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailseal sign}: DKIM-signs one message with one or more keys. */
@Command(
    name = "sign",
    mixinStandardHelpOptions = true,
    description = {
      "Reads a message (FILE, or standard input) and writes it DKIM-signed, one signature per"
          + " --domain/--selector/--key group, with line endings normalized to CRLF."
    })
final class SignCommand implements java.util.concurrent.Callable<Integer> {

  static final class KeyGroup {
    @Option(names = "--domain", required = true, description = "Signing domain (d=).")
    String domain;

    @Option(names = "--selector", required = true, description = "Selector (s=).")
    String selector;

    @Option(
        names = "--key",
        required = true,
        description = "Private key, PEM: PKCS#8 (RSA or Ed25519) or PKCS#1 (RSA).")
    Path key;
  }

  @ArgGroup(exclusive = false, multiplicity = "1..*")
  List<KeyGroup> keys;

  @Option(
      names = "--canonicalization",
      defaultValue = "relaxed/relaxed",
      description = "HEADER/BODY: simple or relaxed each (default: ${DEFAULT-VALUE}).")
  String canonicalization;

  @Option(
      names = "--headers",
      description = "Exact h= list, colon-separated (repeat a name to over-sign it).")
  String headers;

  @Option(names = "--timestamp", description = "t= as seconds since the epoch (default: now).")
  Long timestamp;

  @Option(
      names = "--expire-after",
      converter = Durations.class,
      description = "Sets x= this long after t= (30m, 12h, 7d, P7D).")
  Duration expireAfter;

  @Option(
      names = "--max-header-bytes",
      defaultValue = "262144",
      description = "Largest header section accepted (default: ${DEFAULT-VALUE}).")
  int maxHeaderBytes;

  @Option(names = "-o", description = "Write the signed message here (default: standard output).")
  Path output;

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "The message (default: stdin).")
  Path input;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Canonicalization[] c = parseCanonicalization(canonicalization);
    List<SignOptions> options = new ArrayList<>();
    for (KeyGroup g : keys) {
      PrivateKey key;
      try {
        key = PemKeys.readPrivateKey(g.key);
      } catch (KeyFormatException e) {
        throw new CliException(e.getMessage());
      }
      SignOptions.Builder b =
          SignOptions.builder(g.domain, g.selector, key).canonicalization(c[0], c[1]);
      if (headers != null) {
        b.headers(Arrays.asList(headers.split(":")));
      }
      if (expireAfter != null) {
        b.expireAfter(expireAfter);
      }
      try {
        options.add(b.build());
      } catch (IllegalArgumentException e) {
        throw new CliException(g.key + ": " + e.getMessage());
      }
    }
    Clock clock =
        timestamp == null
            ? Clock.systemUTC()
            : Clock.fixed(Instant.ofEpochSecond(timestamp), ZoneOffset.UTC);
    DkimSigner signer = new DkimSigner(options, clock, Math.max(1024, maxHeaderBytes));

    // The body streams to a temporary file while it is hashed; the signatures go in front of it
    // once the body is known, so a large message is never held in memory.
    Path dir =
        output != null && output.toAbsolutePath().getParent() != null
            ? output.toAbsolutePath().getParent()
            : null;
    Path temp =
        dir != null
            ? Files.createTempFile(dir, ".mailseal-sign", ".tmp")
            : Files.createTempFile("mailseal-sign", ".tmp");
    try {
      SignedHeaders signed;
      try (InputStream in = openInput();
          OutputStream body = new BufferedOutputStream(Files.newOutputStream(temp), 65536)) {
        signed = signer.sign(in, body);
      } catch (DkimSignException e) {
        throw new CliException(inputName() + ": " + e.getMessage());
      }
      try (OutputStream out = openOutput()) {
        out.write(signed.bytes());
        Files.copy(temp, out);
        out.flush();
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    return 0;
  }

  private InputStream openInput() throws IOException {
    if (input == null) {
      return System.in;
    }
    try {
      return Files.newInputStream(input);
    } catch (NoSuchFileException e) {
      throw new CliException(input + ": no such file");
    } catch (IOException e) {
      throw new CliException(input + ": cannot read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private OutputStream openOutput() throws IOException {
    if (output == null) {
      return new java.io.FilterOutputStream(System.out) {
        @Override
        public void close() throws IOException {
          flush(); // never close standard output
        }
      };
    }
    try {
      return new BufferedOutputStream(Files.newOutputStream(output), 65536);
    } catch (IOException e) {
      throw new CliException(output + ": cannot write (" + e.getClass().getSimpleName() + ")");
    }
  }

  private String inputName() {
    return input == null ? "<stdin>" : input.toString();
  }

  static Canonicalization[] parseCanonicalization(String text) {
    String[] parts = text.split("/", -1);
    if (parts.length > 2) {
      throw new CliException("--canonicalization: expected HEADER/BODY, found " + text);
    }
    Canonicalization h = canon(parts[0], text);
    Canonicalization b = parts.length == 2 ? canon(parts[1], text) : Canonicalization.SIMPLE;
    return new Canonicalization[] {h, b};
  }

  private static Canonicalization canon(String part, String text) {
    for (Canonicalization c : Canonicalization.values()) {
      if (c.tag().equalsIgnoreCase(part.strip())) {
        return c;
      }
    }
    throw new CliException(
        "--canonicalization: " + text + " (each part must be simple or relaxed)");
  }
}
