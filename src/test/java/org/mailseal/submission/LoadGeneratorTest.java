// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.bench.LoadGenerator;
import org.mailseal.bench.LoadOptions;
import org.mailseal.bench.LoadReport;

/** The load generator of {@code mailseal bench} against a real submission server. */
class LoadGeneratorTest {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @TempDir Path dir;

  private static LoadOptions options(
      RunningServer s, int port, LoadOptions.TlsMode mode, String user, long n) {
    return new LoadOptions(
        "127.0.0.1",
        port,
        mode,
        Optional.of(s.trust.getSocketFactory()),
        Optional.of(user),
        RunningServer.PASSWORD,
        "alice@example.com",
        "carol@example.org",
        3,
        n,
        4096,
        Optional.of(Duration.ofSeconds(60)),
        "bench.test");
  }

  @Test
  void everyMessageSentOverStartTlsIsAcceptedAndQueued() throws Exception {
    try (RunningServer s = new RunningServer(dir)) {
      Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
      LoadReport r =
          new LoadGenerator(
                  options(
                      s, s.submissionPort(), LoadOptions.TlsMode.STARTTLS, "alice@example.com", 60),
                  s.clock,
                  "t1",
                  QUIET,
                  Duration.ofSeconds(1))
              .run(
                  (n, code) -> {
                    if (code == 250) {
                      acknowledged.add(n);
                    }
                  });

      assertThat(r.attempted()).isEqualTo(60);
      assertThat(r.accepted()).isEqualTo(60);
      assertThat(r.errors()).isEmpty();
      assertThat(acknowledged).hasSize(60);
      assertThat(s.spool.depth()).isEqualTo(60);
      assertThat(r.p50Micros()).isPositive().isLessThanOrEqualTo(r.p99Micros());
      assertThat(r.p99Micros()).isLessThanOrEqualTo(r.maxMicros());
      assertThat(r.render()).contains("accepted=60 errors=0 setup_s=");
    }
  }

  @Test
  void implicitTlsWorksAsWell() throws Exception {
    try (RunningServer s = new RunningServer(dir)) {
      LoadReport r =
          new LoadGenerator(
                  options(
                      s, s.submissionsPort(), LoadOptions.TlsMode.IMPLICIT, "alice@example.com", 9),
                  s.clock,
                  "t2",
                  QUIET,
                  Duration.ofSeconds(1))
              .run(LoadGenerator.Listener.NONE);

      assertThat(r.accepted()).isEqualTo(9);
      assertThat(s.spool.depth()).isEqualTo(9);
    }
  }

  @Test
  void refusedMessagesAreCountedByReplyCodeAndTheRunStillEnds() throws Exception {
    try (RunningServer s = new RunningServer(dir)) {
      // bob may not send as alice: every MAIL FROM gets 550, and each connection gives up after
      // a bounded number of refusals in a row.
      LoadReport r =
          new LoadGenerator(
                  options(
                      s, s.submissionPort(), LoadOptions.TlsMode.STARTTLS, "bob@example.com", 1000),
                  s.clock,
                  "t3",
                  QUIET,
                  Duration.ofSeconds(1))
              .run(LoadGenerator.Listener.NONE);

      assertThat(r.accepted()).isZero();
      assertThat(r.errors()).containsOnlyKeys("550");
      assertThat(r.errors().get("550")).isEqualTo(r.attempted()).isLessThan(1000);
      assertThat(s.spool.depth()).isZero();
      assertThat(r.errors()).isEqualTo(Map.of("550", r.attempted()));
    }
  }
}
