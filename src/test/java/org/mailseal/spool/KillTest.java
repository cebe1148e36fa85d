// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: a child JVM stores messages, the test SIGKILLs it mid-stream, then every id the
 * child printed (each printed only after store() returned, as 250 would be sent) must be in the
 * spool, intact.
 */
class KillTest {
  private static final String EOF = "EOF"; // the child prints only "<id> <n>" lines

  @TempDir Path dir;

  @Test
  void everyAcknowledgedMessageSurvivesSigkill() throws Exception {
    int killAfter = 5 + new SplittableRandom(20261122).nextInt(36); // 5..40 acknowledged ids
    Path stderr = dir.resolve("child-stderr.txt");
    Path spoolDir = dir.resolve("spool");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                SpoolWriterMain.class.getName(),
                spoolDir.toString(),
                "5000",
                "4")
            .redirectError(stderr.toFile())
            .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> readLines(child.getInputStream(), lines), "child-stdout");
    reader.start();

    List<String> acknowledged = new ArrayList<>();
    try {
      while (acknowledged.size() < killAfter) {
        String line = lines.poll(60, TimeUnit.SECONDS);
        assertThat(line).as("child output; stderr: %s", readQuietly(stderr)).isNotNull();
        if (line.equals(EOF)) {
          break;
        }
        acknowledged.add(line);
      }
    } finally {
      child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no close()
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    reader.join(TimeUnit.SECONDS.toMillis(60));
    // Lines the child printed after the k-th but before dying were acknowledged too.
    for (String line; (line = lines.poll()) != null && !line.equals(EOF); ) {
      acknowledged.add(line);
    }
    assertThat(acknowledged)
        .as("stderr: %s", readQuietly(stderr))
        .hasSizeGreaterThanOrEqualTo(killAfter);

    try (Spool spool =
        Spool.open(spoolDir, Clock.systemUTC(), SpoolOptions.defaults(new SecureRandom()))) {
      for (String line : acknowledged) {
        String[] parts = line.split(" ");
        QueueId id = QueueId.parse(parts[0]);
        int n = Integer.parseInt(parts[1]);
        assertThat(spool.entry(id)).as("entry %s", id).isPresent();
        try (InputStream in = spool.open(id)) {
          assertThat(in.readAllBytes()).as("bytes of %s", id).isEqualTo(Messages.numbered(n));
        }
      }
      assertThat(spool.depth()).isGreaterThanOrEqualTo(acknowledged.size());
      assertThat(spool.recoveryReport().corrupt()).isZero();
    }
  }

  private static void readLines(InputStream in, BlockingQueue<String> lines) {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      // the child died: the stream ends
    } finally {
      lines.add(EOF);
    }
  }

  private static String readQuietly(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
