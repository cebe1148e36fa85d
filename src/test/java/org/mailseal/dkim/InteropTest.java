// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.Result;
import org.apache.james.jdkim.exceptions.FailException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailseal.cli.MailsealCommand;
import org.mailseal.keys.PemKeys;

/**
 * Every message of the edge-case corpus ({@code src/test/resources/dkim/corpus}), signed by {@code
 * mailseal sign} with an RSA and an Ed25519 key in one pass, must verify under our verifier, Apache
 * James jDKIM (RSA), dkimpy (both) and Mail::DKIM (RSA; Debian 12's version has no Ed25519); and
 * four kinds of tampering must fail under all of them. The external verifiers run once over all
 * files; a missing one skips its assertions, naming the Debian package.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InteropTest {
  private static final Path CORPUS = Path.of("src/test/resources/dkim/corpus");
  private static final Path VERIFIERS = Path.of("src/test/resources/dkim/verifiers");
  private static final String DOMAIN = "example.com";
  private static final String RSA = "interop-r";
  private static final String ED = "interop-e";
  private static final String WRONG_RSA = "wrongkey-r";
  private static final String WRONG_ED = "wrongkey-e";
  private static final List<String> NEGATIVES =
      List.of("body-byte-changed", "signed-header-changed", "extra-from-added", "wrong-public-key");

  private Path dir;
  private final Map<String, Path> signed = new LinkedHashMap<>();
  private final Map<String, String> records = new HashMap<>();
  private final java.util.Set<String> jdkimSkipped = new java.util.HashSet<>();
  private Map<String, String> dkimpy;
  private Map<String, String> mailDkim;

  @BeforeAll
  void signEverything() throws Exception {
    dir = Files.createTempDirectory("mailseal-interop");
    Path rsaKey = Path.of("src/test/resources/keys/rsa2048-pkcs8.pem");
    Path edKey = Path.of("src/test/resources/keys/ed25519-pkcs8.pem");
    record(RSA, PemKeys.publicKeyOf(PemKeys.readPrivateKey(rsaKey)));
    record(ED, PemKeys.publicKeyOf(PemKeys.readPrivateKey(edKey)));
    // The wrong-key case signs with our keys but publishes other keys under its selectors.
    record(WRONG_RSA, generate("RSA").getPublic());
    record(WRONG_ED, generate("Ed25519").getPublic());

    for (String name : corpus().toList()) {
      Path out = dir.resolve(name + ".eml");
      signWithCli(CORPUS.resolve(name + ".eml"), out, RSA, rsaKey, ED, edKey);
      signed.put(name, out);
      if (emptyRelaxedBody(CORPUS.resolve(name + ".eml"))) {
        // jDKIM 0.5 hashes an empty relaxed body as if it were CRLF (RFC 4871 before its
        // erratum); RFC 6376 §3.4.4, dkimpy and Mail::DKIM hash it as nothing. Those messages
        // are left out of the jDKIM check only.
        jdkimSkipped.add(name);
      }
    }
    // A large base64 attachment, made here rather than committed, signed through the API.
    signed.put("90-large-attachment", signLarge(rsaKey, edKey));

    Path base = signed.get("01-plain");
    byte[] plain = Files.readAllBytes(base);
    String text = new String(plain, StandardCharsets.ISO_8859_1);
    write("body-byte-changed", text.replace("Lunch at noon?", "Lunch at noon!"));
    write("signed-header-changed", text.replace("Subject: corpus", "Subject: c0rpus"));
    write("extra-from-added", "From: Mallory <mallory@example.com>\r\n" + text);
    Path wrong = dir.resolve("wrong-public-key.eml");
    signWithCli(CORPUS.resolve("01-plain.eml"), wrong, WRONG_RSA, rsaKey, WRONG_ED, edKey);
    signed.put("wrong-public-key", wrong);

    Path table = dir.resolve("keys.tsv");
    StringBuilder sb = new StringBuilder();
    records.forEach((name, txt) -> sb.append(name).append('\t').append(txt).append('\n'));
    Files.writeString(table, sb.toString());
    List<String> files = signed.values().stream().map(Path::toString).toList();
    // The two verifiers are separate processes: run them side by side.
    CompletableFuture<Map<String, String>> python =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return runIfPresent(
                    List.of("/usr/bin/python3", "-c", "import dkim, nacl"),
                    command(
                        "/usr/bin/python3", VERIFIERS.resolve("dkimpy-verify.py"), table, files));
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    mailDkim =
        runIfPresent(
            List.of("perl", "-MMail::DKIM::Verifier", "-e", "1"),
            command("perl", VERIFIERS.resolve("maildkim-verify.pl"), table, files));
    dkimpy = python.get(150, TimeUnit.SECONDS);
  }

  @AfterAll
  void cleanUp() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static Stream<String> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".eml"))
              .map(n -> n.substring(0, n.length() - 4))
              .sorted()
              .toList();
      assertThat(names).hasSizeGreaterThanOrEqualTo(25);
      return names.stream();
    }
  }

  static Stream<String> corpusAndLarge() throws IOException {
    return Stream.concat(corpus(), Stream.of("90-large-attachment"));
  }

  static Stream<String> negatives() {
    return NEGATIVES.stream();
  }

  @ParameterizedTest
  @MethodSource("corpusAndLarge")
  void signedMessagePassesEveryVerifier(String name) throws Exception {
    Path file = signed.get(name);
    String rsa = name.equals("wrong-public-key") ? WRONG_RSA : RSA;
    String ed = name.equals("wrong-public-key") ? WRONG_ED : ED;
    Map<String, String> ours = ours(file);
    assertThat(ours).as("our verifier").containsEntry(rsa, "pass").containsEntry(ed, "pass");
    if (!jdkimSkipped.contains(name)) {
      assertThat(jdkim(file)).as("jDKIM, rsa-sha256").isEqualTo("pass");
    }
    if (dkimpy != null) {
      assertThat(dkimpy.get(file + " " + rsa)).as("dkimpy, rsa-sha256").isEqualTo("pass");
      assertThat(dkimpy.get(file + " " + ed)).as("dkimpy, ed25519-sha256").isEqualTo("pass");
    }
    if (mailDkim != null) {
      assertThat(mailDkim.get(file + " " + rsa)).as("Mail::DKIM, rsa-sha256").isEqualTo("pass");
    }
  }

  @ParameterizedTest
  @MethodSource("negatives")
  void tamperedMessageFailsEveryVerifier(String name) throws Exception {
    Path file = signed.get(name);
    String rsa = name.equals("wrong-public-key") ? WRONG_RSA : RSA;
    String ed = name.equals("wrong-public-key") ? WRONG_ED : ED;
    Map<String, String> ours = ours(file);
    assertThat(ours.get(rsa)).as("our verifier, rsa").isNotEqualTo("pass").isNotNull();
    assertThat(ours.get(ed)).as("our verifier, ed25519").isNotEqualTo("pass").isNotNull();
    assertThat(jdkim(file)).as("jDKIM, rsa-sha256").isNotEqualTo("pass");
    if (dkimpy != null) {
      assertThat(dkimpy.get(file + " " + rsa)).as("dkimpy, rsa").isNotEqualTo("pass");
      assertThat(dkimpy.get(file + " " + ed)).as("dkimpy, ed25519").isNotEqualTo("pass");
    }
    if (mailDkim != null) {
      assertThat(mailDkim.get(file + " " + rsa)).as("Mail::DKIM, rsa").isNotEqualTo("pass");
    }
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void externalVerifiersAreInstalled(String name) {
    assumeTrue(
        dkimpy != null,
        "dkimpy missing: apt-get install python3-dkim python3-nacl python3-dnspython");
    assumeTrue(mailDkim != null, "Mail::DKIM missing: apt-get install libmail-dkim-perl");
    assertThat(dkimpy).containsKey(signed.get(name) + " " + RSA);
  }

  /** Our verifier's result per selector. */
  private Map<String, String> ours(Path file) throws IOException {
    DkimVerifier verifier =
        new DkimVerifier(
            (d, s) -> {
              String r = records.get(s + "._domainkey." + d);
              return r == null ? List.of() : List.of(r);
            },
            Clock.systemUTC());
    Map<String, String> out = new HashMap<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      for (VerificationResult r : verifier.verify(in)) {
        if (r.domain().equals(DOMAIN)) {
          out.put(r.selector(), r.result());
        }
      }
    }
    return out;
  }

  /** jDKIM's verdict on the rsa-sha256 signature of d=example.com. */
  private String jdkim(Path file) throws IOException {
    DKIMVerifier verifier =
        new DKIMVerifier(
            (method, selector, domain) -> {
              String r = records.get(selector + "._domainkey." + domain);
              return r == null ? List.of() : List.of(r);
            });
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      verifier.verify(in);
    } catch (FailException e) {
      // Per-signature verdicts are still in getResults().
    }
    for (Result r : verifier.getResults()) {
      if (r.getRecord() != null
          && String.valueOf(r.getRecord().getSelector()).matches("(interop|wrongkey)-r")) {
        return r.isSuccess() ? "pass" : "fail: " + r.getErrorMessage();
      }
    }
    return "no result";
  }

  private void record(String selector, PublicKey key) {
    records.put(selector + "._domainkey." + DOMAIN, DkimKeyRecord.forPublicKey(key).render());
  }

  private static KeyPair generate(String algorithm) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    if (algorithm.equals("RSA")) {
      g.initialize(2048);
    }
    return g.generateKeyPair();
  }

  private void write(String name, String text) throws IOException {
    Path p = dir.resolve(name + ".eml");
    Files.write(p, text.getBytes(StandardCharsets.ISO_8859_1));
    signed.put(name, p);
  }

  private static boolean emptyRelaxedBody(Path message) throws Exception {
    MessageStream stream = new MessageStream(Files.newInputStream(message));
    stream.readHeaderSection(1 << 20);
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    int n;
    while ((n = stream.read(chunk)) >= 0) {
      body.write(chunk, 0, n);
    }
    return DkimSigner.bodyHash(Canonicalization.RELAXED, body.toByteArray())
        .equals("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="); // SHA-256 of nothing
  }

  private static void signWithCli(
      Path in, Path out, String rsaSelector, Path rsaKey, String edSelector, Path edKey) {
    signWithCli(in, out, rsaSelector, rsaKey, edSelector, edKey, "relaxed/relaxed");
  }

  private static void signWithCli(
      Path in,
      Path out,
      String rsaSelector,
      Path rsaKey,
      String edSelector,
      Path edKey,
      String canonicalization) {
    StringWriter err = new StringWriter();
    int code =
        MailsealCommand.commandLine()
            .setErr(new PrintWriter(err))
            .execute(
                "sign",
                "--domain",
                DOMAIN,
                "--selector",
                rsaSelector,
                "--key",
                rsaKey.toString(),
                "--domain",
                DOMAIN,
                "--selector",
                edSelector,
                "--key",
                edKey.toString(),
                in.toString(),
                "-o",
                out.toString());
    assertThat(code).as("mailseal sign " + in + ": " + err).isZero();
  }

  private Path signLarge(Path rsaKey, Path edKey) throws Exception {
    PrivateKey rsa = PemKeys.readPrivateKey(rsaKey);
    PrivateKey ed = PemKeys.readPrivateKey(edKey);
    DkimSigner signer =
        new DkimSigner(
            List.of(
                SignOptions.builder(DOMAIN, RSA, rsa).build(),
                SignOptions.builder(DOMAIN, ED, ed).build()),
            Clock.systemUTC(),
            65536);
    byte[] attachment = new byte[5 * 1024 * 1024];
    new Random(20261122L).nextBytes(attachment);
    String message =
        "From: Alice <alice@example.com>\r\nTo: bob@example.net\r\nSubject: large\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            + "--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--b\r\n"
            + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + java.util.Base64.getMimeEncoder().encodeToString(attachment)
            + "\r\n--b--\r\n";
    Path body = dir.resolve("large.body");
    Path out = dir.resolve("90-large-attachment.eml");
    SignedHeaders headers;
    try (OutputStream o = Files.newOutputStream(body)) {
      headers =
          signer.sign(new ByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII)), o);
    }
    try (OutputStream o = Files.newOutputStream(out)) {
      o.write(headers.bytes());
      Files.copy(body, o);
    }
    return out;
  }

  private static List<String> command(String program, Path script, Path table, List<String> files) {
    List<String> cmd = new ArrayList<>(List.of(program, script.toString(), table.toString()));
    cmd.addAll(files);
    return cmd;
  }

  /** Runs {@code command} when {@code probe} succeeds; maps "FILE SELECTOR" to the verdict. */
  private static Map<String, String> runIfPresent(List<String> probe, List<String> command)
      throws Exception {
    if (exec(probe).exitCode != 0) {
      return null;
    }
    Exec run = exec(command);
    assertThat(run.exitCode).as(String.join(" ", command.subList(0, 2)) + ": " + run.err).isZero();
    Map<String, String> out = new HashMap<>();
    for (String line : run.out.split("\n")) {
      String[] f = line.split(" ");
      if (f.length == 5) {
        out.put(f[0] + " " + f[4].substring("s=".length()), f[2]);
      }
    }
    return out;
  }

  private record Exec(int exitCode, String out, String err) {}

  private static Exec exec(List<String> command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      return new Exec(127, "", e.getMessage());
    }
    p.getOutputStream().close();
    var out = new java.util.concurrent.CompletableFuture<String>();
    var err = new java.util.concurrent.CompletableFuture<String>();
    new Thread(() -> out.complete(slurp(p.getInputStream()))).start();
    new Thread(() -> err.complete(slurp(p.getErrorStream()))).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " did not finish in 120 s");
    }
    return new Exec(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  private static String slurp(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
