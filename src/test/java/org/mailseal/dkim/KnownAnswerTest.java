// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailseal.keys.PemKeys;

/**
 * Known answers from files under {@code src/test/resources/dkim/vectors/}, RFC examples first. Each
 * {@code NN-name.eml} is checked against whichever answer files sit beside it: {@code .expected}
 * (verification results), {@code .relaxed}/{@code .simple} (canonical forms), {@code
 * .<selector>.key} (the private key that must reproduce that signature's bh= and b= exactly).
 */
class KnownAnswerTest {
  private static final Path DIR = Path.of("src/test/resources/dkim/vectors");

  static Stream<String> vectors() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".eml"))
          .map(n -> n.substring(0, n.length() - 4))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("vectors")
  void vectorGivesItsKnownAnswers(String name) throws Exception {
    byte[] message = Files.readAllBytes(DIR.resolve(name + ".eml"));
    int checked = 0;
    Path expected = DIR.resolve(name + ".expected");
    if (Files.exists(expected)) {
      assertThat(verify(name, message)).as("verification").isEqualTo(lines(expected));
      checked++;
    }
    for (Canonicalization c : Canonicalization.values()) {
      Path canonical = DIR.resolve(name + "." + c.tag());
      if (Files.exists(canonical)) {
        assertThat(new String(canonicalize(message, c), StandardCharsets.ISO_8859_1))
            .as(c.tag() + " canonical form")
            .isEqualTo(Files.readString(canonical, StandardCharsets.ISO_8859_1));
        checked++;
      }
    }
    checked += reproduceSignatures(name, message);
    assertThat(checked).as("answer files beside " + name).isPositive();
  }

  private static List<String> verify(String name, byte[] message) throws Exception {
    Map<String, String> records = new HashMap<>();
    for (String line : lines(DIR.resolve(name + ".dns"))) {
      String[] parts = line.split("\t", 2);
      records.put(parts[0], parts[1]);
    }
    long t = firstTimestamp(message);
    DkimVerifier verifier =
        new DkimVerifier(
            (d, s) -> {
              String r = records.get(s + "._domainkey." + d);
              return r == null ? List.of() : List.of(r);
            },
            Clock.fixed(Instant.ofEpochSecond(t), ZoneOffset.UTC));
    List<String> out = new ArrayList<>();
    for (VerificationResult r : verifier.verify(new ByteArrayInputStream(message))) {
      out.add(
          "dkim="
              + r.result()
              + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")")
              + " d="
              + r.domain()
              + " s="
              + r.selector()
              + " a="
              + r.algorithm());
    }
    return out;
  }

  /** Re-signs each signature whose private key is beside the vector; returns how many. */
  private static int reproduceSignatures(String name, byte[] message) throws Exception {
    MessageStream stream = new MessageStream(new ByteArrayInputStream(message));
    List<HeaderField> fields = stream.readHeaderSection(1 << 20).fields();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] chunk = new byte[4096];
    int n;
    while ((n = stream.read(chunk)) >= 0) {
      body.write(chunk, 0, n);
    }
    int reproduced = 0;
    for (HeaderField f : fields) {
      if (!f.key().equals("dkim-signature")) {
        continue;
      }
      TagList tags = TagList.parse(f.value());
      Path keyFile = DIR.resolve(name + "." + tags.get("s") + ".key");
      if (!Files.exists(keyFile)) {
        continue;
      }
      PrivateKey key = PemKeys.readPrivateKey(keyFile);
      String[] c = tags.get("c").split("/");
      Canonicalization bodyCanon = Canonicalization.fromTag(c[1]);
      assertThat(DkimSigner.bodyHash(bodyCanon, body.toByteArray()))
          .as("bh= of s=" + tags.get("s"))
          .isEqualTo(TagList.withoutWhitespace(tags.get("bh")));
      List<String> names = new ArrayList<>();
      for (String h : tags.get("h").split(":")) {
        names.add(TagList.withoutWhitespace(h));
      }
      Algorithm algorithm = Algorithm.fromTag(tags.get("a"));
      byte[] b =
          DkimSigner.signField(
              SignatureAlgorithms.signer(algorithm, key),
              Canonicalization.fromTag(c[0]),
              new HeaderSelection(fields),
              names,
              DkimVerifier.withoutBValue(f.raw()));
      assertThat(java.util.Base64.getEncoder().encodeToString(b))
          .as("b= of s=" + tags.get("s"))
          .isEqualTo(TagList.withoutWhitespace(tags.get("b")));
      reproduced++;
    }
    return reproduced;
  }

  /** Header fields canonicalized in order, CRLF, then the canonical body. */
  private static byte[] canonicalize(byte[] message, Canonicalization c) throws Exception {
    MessageStream stream = new MessageStream(new ByteArrayInputStream(message));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (HeaderField f : stream.readHeaderSection(1 << 20).fields()) {
      out.writeBytes(c.header(f.raw()).getBytes(StandardCharsets.ISO_8859_1));
    }
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    BodyCanonicalizer body = new BodyCanonicalizer(c, new Capture(out), -1);
    byte[] chunk = new byte[7]; // small chunks: state must carry across chunk boundaries
    int n;
    while ((n = stream.read(chunk)) >= 0) {
      body.update(chunk, 0, n);
    }
    body.finish();
    return out.toByteArray();
  }

  private static long firstTimestamp(byte[] message) {
    String text = new String(message, StandardCharsets.ISO_8859_1);
    int t = text.indexOf(" t=");
    if (t < 0) {
      return 0;
    }
    int end = t + 3;
    while (Character.isDigit(text.charAt(end))) {
      end++;
    }
    return Long.parseLong(text.substring(t + 3, end));
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.readAllLines(file).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .toList();
  }

  /** A "digest" that records what it is fed, to read canonical forms back. */
  private static final class Capture extends MessageDigest {
    private final ByteArrayOutputStream out;

    Capture(ByteArrayOutputStream out) {
      super("capture");
      this.out = out;
    }

    @Override
    protected void engineUpdate(byte input) {
      out.write(input);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
      out.write(input, offset, len);
    }

    @Override
    protected byte[] engineDigest() {
      return new byte[0];
    }

    @Override
    protected void engineReset() {}
  }
}
