// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.List;
import org.mailseal.keys.PemKeys;

/**
 * Signs a generated 50 MB message from a stream to nowhere and reports how far the heap grew: the
 * peak heap in use while signing (each pool's peak after a reset) minus what was in use before. Run
 * it with a small heap to make the bound hard: {@code -Xmx32m}.
 */
public final class LargeMessageHeap {
  private LargeMessageHeap() {}

  public static void main(String[] args) throws Exception {
    long size = 50L * 1024 * 1024;
    PrivateKey rsa = PemKeys.readPrivateKey(Path.of("src/test/resources/keys/rsa2048-pkcs8.pem"));
    PrivateKey ed = PemKeys.readPrivateKey(Path.of("src/test/resources/keys/ed25519-pkcs8.pem"));
    DkimSigner signer =
        new DkimSigner(
            List.of(
                SignOptions.builder("example.com", "r", rsa).build(),
                SignOptions.builder("example.com", "e", ed).build()),
            Clock.systemUTC(),
            65536);
    signer.sign(stream(1024 * 1024), OutputStream.nullOutputStream()); // warm up, load classes
    System.gc();
    long before = used();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    long start = System.nanoTime();
    signer.sign(stream(size), OutputStream.nullOutputStream());
    long millis = (System.nanoTime() - start) / 1_000_000;
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.out.printf(
        "RESULT message_bytes=%d heap_before=%d heap_peak=%d heap_growth=%d max_heap=%d ms=%d%n",
        size, before, peak, peak - before, Runtime.getRuntime().maxMemory(), millis);
  }

  private static long used() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        used += pool.getUsage().getUsed();
      }
    }
    return used;
  }

  /** A message of {@code size} bytes: headers, then 76-character lines. */
  private static InputStream stream(long size) {
    byte[] head =
        "From: a@example.com\r\nTo: b@example.net\r\nSubject: large\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    return new InputStream() {
      long pos;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= size) {
          return -1;
        }
        int n = (int) Math.min(len, size - pos);
        for (int i = 0; i < n; i++, pos++) {
          long p = pos - head.length;
          b[off + i] =
              pos < head.length
                  ? head[(int) pos]
                  : p % 78 == 76 ? (byte) '\r' : p % 78 == 77 ? (byte) '\n' : (byte) ('A' + p % 26);
        }
        return n;
      }
    };
  }
}
