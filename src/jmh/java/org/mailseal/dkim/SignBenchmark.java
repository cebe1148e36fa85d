// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.mailseal.keys.PemKeys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Signing one message, single thread, beside the bare signature operation on the same key: the
 * difference is what canonicalization, hashing and header assembly cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class SignBenchmark {
  @Param({"4096", "102400"})
  int size;

  private byte[] message;
  private DkimSigner rsaSigner;
  private DkimSigner edSigner;
  private PrivateKey rsa;
  private Ed25519PrivateKeyParameters ed;
  private final byte[] digest = new byte[32];

  @Setup
  public void setUp() throws Exception {
    rsa = PemKeys.readPrivateKey(Path.of("src/test/resources/keys/rsa2048-pkcs8.pem"));
    PrivateKey edKey = PemKeys.readPrivateKey(Path.of("src/test/resources/keys/ed25519-pkcs8.pem"));
    ed = new Ed25519PrivateKeyParameters(PemKeys.ed25519Seed(edKey), 0);
    rsaSigner =
        new DkimSigner(
            List.of(SignOptions.builder("example.com", "s20261122r", rsa).build()),
            Clock.systemUTC(),
            65536);
    edSigner =
        new DkimSigner(
            List.of(SignOptions.builder("example.com", "s20261122e", edKey).build()),
            Clock.systemUTC(),
            65536);
    message = message(size);
    new Random(1).nextBytes(digest);
  }

  /** A typical message: the usual headers, then text lines of about 70 characters. */
  static byte[] message(int size) {
    StringBuilder sb =
        new StringBuilder(size + 100)
            .append("From: Alice Example <alice@example.com>\r\n")
            .append("To: Bob Example <bob@example.net>\r\n")
            .append("Subject: Quarterly figures and the plan for next week\r\n")
            .append("Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n")
            .append("Message-ID: <20261122100000.12345@example.com>\r\n")
            .append("MIME-Version: 1.0\r\n")
            .append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
    Random r = new Random(42);
    while (sb.length() < size) {
      for (int i = 0; i < 68; i++) {
        sb.append((char) ('a' + r.nextInt(26)));
        if (r.nextInt(7) == 0) {
          sb.append(' ');
        }
      }
      sb.append("\r\n");
    }
    sb.setLength(size - 2);
    return sb.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  @Benchmark
  public Object signRsa2048() throws Exception {
    return rsaSigner.sign(new ByteArrayInputStream(message), OutputStream.nullOutputStream());
  }

  @Benchmark
  public Object signEd25519() throws Exception {
    return edSigner.sign(new ByteArrayInputStream(message), OutputStream.nullOutputStream());
  }

  /** The bare JDK operation the RSA signature cannot avoid. */
  @Benchmark
  public byte[] bareRsa2048() throws Exception {
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(rsa);
    s.update(digest);
    return s.sign();
  }

  /** The bare Bouncy Castle operation the Ed25519 signature cannot avoid. */
  @Benchmark
  public byte[] bareEd25519() {
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, ed);
    s.update(digest, 0, digest.length);
    return s.generateSignature();
  }
}
