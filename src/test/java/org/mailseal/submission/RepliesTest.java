// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replies where SubEthaSMTP's own had no enhanced status code or the wrong one, and line limits
 * that follow the RFCs: bare CR line endings, over-long command lines, AUTH lines up to 12,288
 * octets (RFC 4954 §4) and BDAT (RFC 3030).
 */
@Timeout(60)
class RepliesTest {
  @TempDir Path dir;
  RunningServer s;

  @BeforeEach
  void start() throws Exception {
    s = new RunningServer(dir, "");
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  void bareCrLineEndingsCountAsLineEndsForTheLineLimit() throws Exception {
    String line = "y".repeat(100);
    String body = String.join("\r", java.util.Collections.nCopies(30, line));
    try (SmtpDialog d = s.authenticated("alice@example.com")) {
      d.expect("MAIL FROM:<alice@example.com>", "250");
      d.expect("RCPT TO:<bob@example.org>", "250");
      assertThat(d.data("From: alice@example.com\nSubject: cr\n\n" + body + "\n"))
          .startsWith("250 2.0.0");
    }
    assertThat(s.spool.depth()).isEqualTo(1);
  }
}
