// SPDX-License-Identifier: Apache-2.0
package org.mailseal.sendmail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SendmailArgsTest {

  @Test
  void cronsCommandLineNamesTheRecipientAndIgnoresTheRest() throws Exception {
    // Debian's cron runs: /usr/sbin/sendmail -FCronDaemon -i -B8BITMIME -oem <MAILTO>
    SendmailArgs a =
        SendmailArgs.parse(List.of("-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root"));
    assertThat(a.fullName()).contains("CronDaemon");
    assertThat(a.ignoreDots()).isTrue();
    assertThat(a.readRecipients()).isFalse();
    assertThat(a.sender()).isEmpty();
    assertThat(a.recipients()).containsExactly("root");
  }

  @Test
  void senderAndNameTakeAttachedOrSeparateValues() throws Exception {
    SendmailArgs a =
        SendmailArgs.parse(
            List.of("-t", "-oi", "-f", "app@example.com", "-F", "The App", "-odi", "-v"));
    assertThat(a.readRecipients()).isTrue();
    assertThat(a.ignoreDots()).isTrue();
    assertThat(a.sender()).contains("app@example.com");
    assertThat(a.fullName()).contains("The App");
    assertThat(a.recipients()).isEmpty();
    assertThat(SendmailArgs.parse(List.of("-rops@example.com", "--", "-odd")).recipients())
        .containsExactly("-odd");
    assertThat(SendmailArgs.parse(List.of("-rops@example.com", "x@y.z")).sender())
        .contains("ops@example.com");
  }

  @Test
  void unknownOptionOtherModesAndMissingValuesAreUsageErrors() {
    assertThatThrownBy(() -> SendmailArgs.parse(List.of("-Q", "root")))
        .isInstanceOfSatisfying(
            SendmailException.class, e -> assertThat(e.exitCode()).isEqualTo(64))
        .hasMessage("unknown option -Q");
    assertThatThrownBy(() -> SendmailArgs.parse(List.of("-bs")))
        .isInstanceOfSatisfying(
            SendmailException.class, e -> assertThat(e.exitCode()).isEqualTo(64))
        .hasMessageContaining("only -bm");
    assertThatThrownBy(() -> SendmailArgs.parse(List.of("-f"))).hasMessage("-f needs a value");
  }
}
