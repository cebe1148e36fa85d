// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeadlineTest {
  static final long S = 1_000_000_000L;
  static final Deadline.Rules RULES =
      Deadline.Rules.of(
          Duration.ofSeconds(60),
          Duration.ofSeconds(600),
          100,
          Duration.ofSeconds(10),
          Duration.ofSeconds(3600));

  @Test
  void commandLineExpiresAtItsDeadlineFromTheLastReply() {
    Deadline d = new Deadline(RULES, 0);
    d.working();
    d.awaitCommand(30 * S);
    assertThat(d.expire(89 * S)).isEmpty();
    assertThat(d.expire(90 * S)).contains("421 4.4.2 No complete command within 1m; closing");
    assertThat(d.working()).as("a command line arriving too late is not run").isFalse();
  }

  @Test
  void noDeadlineRunsWhileTheServerWorks() {
    Deadline d = new Deadline(RULES, 0);
    assertThat(d.working()).isTrue();
    assertThat(d.expire(7200 * S)).isEmpty();
  }

  @Test
  void messageMustAverageTheMinimumRateAfterTheGrace() throws Exception {
    Deadline d = new Deadline(RULES, 0);
    d.message(0);
    assertThat(d.expire(9 * S)).as("within the grace, nothing needed").isEmpty();
    d.received(1000); // 10 s of credit at 100 B/s
    assertThat(d.expire(20 * S)).isEmpty();
    assertThat(d.expire(21 * S))
        .contains("421 4.4.2 Message data slower than 100 bytes per second; closing");
    assertThatThrownBy(() -> d.received(1)).isInstanceOf(Deadline.Passed.class);
    assertThatThrownBy(d::ended).isInstanceOf(Deadline.Passed.class);
  }

  @Test
  void messageFastEnoughStillEndsAtTheMessageDeadline() throws Exception {
    Deadline d = new Deadline(RULES, 0);
    d.message(0);
    d.received(1_000_000);
    assertThat(d.expire(599 * S)).isEmpty();
    assertThat(d.expire(600 * S)).contains("421 4.4.2 Message not received within 10m; closing");
  }

  @Test
  void sessionEndsAtItsLifetimeButNotInTheMiddleOfACommand() {
    Deadline d = new Deadline(RULES, 0);
    d.working();
    assertThat(d.expire(3601 * S)).isEmpty();
    d.awaitCommand(3601 * S);
    assertThat(d.expire(3601 * S)).contains("421 4.4.2 Session open longer than 1h; closing");
  }
}
