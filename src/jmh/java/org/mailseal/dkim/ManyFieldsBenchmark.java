// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Signing a message whose header section holds {@code count} {@code To:} fields (10,000 make about
 * 174 KB), with the default header list, which over-signs To: the cost must grow with the header
 * size, not its square. Run with {@code -prof gc} for the bytes allocated per signature.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(1)
public class ManyFieldsBenchmark {
  @Param({"1000", "10000"})
  int count;

  private byte[] message;
  private DkimSigner edSigner;

  @Setup
  public void setUp() throws Exception {
    PrivateKey edKey = PemKeys.readPrivateKey(Path.of("src/test/resources/keys/ed25519-pkcs8.pem"));
    edSigner =
        new DkimSigner(
            List.of(SignOptions.builder("example.com", "s20261122e", edKey).build()),
            Clock.systemUTC(),
            1 << 20);
    message = message(count);
  }

  /** From, Subject, Date, then {@code count} To fields of about 17 bytes, then a short body. */
  static byte[] message(int count) {
    StringBuilder sb =
        new StringBuilder(count * 20 + 200)
            .append("From: Alice Example <alice@example.com>\r\n")
            .append("Subject: many recipients\r\n")
            .append("Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n");
    for (int i = 0; i < count; i++) {
      sb.append("To: u").append(i).append("@x.test\r\n");
    }
    return sb.append("\r\nHello\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  @Benchmark
  public Object signEd25519() throws Exception {
    return edSigner.sign(new ByteArrayInputStream(message), OutputStream.nullOutputStream());
  }
}
