// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QueueIdTest {
  @Test
  void idIsSixteenFileNameSafeCharactersThatEncodeTheTime() {
    Instant t = Instant.parse("2026-11-22T10:00:00.123Z");

    QueueId id = QueueId.next(t, new SplittableRandom(3));

    assertThat(id.value()).hasSize(16).matches("[0-9A-HJKMNP-TV-Z]{16}");
    assertThat(id.time()).isEqualTo(t);
    assertThat(QueueId.parse(id.value())).isEqualTo(id);
  }

  @Test
  void idsSortByTimeAsPlainStrings() {
    SplittableRandom random = new SplittableRandom(5);
    List<QueueId> ids = new ArrayList<>();
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < 1000; i++) {
      ids.add(QueueId.next(t.plusMillis(i * 37L), random));
    }

    assertThat(ids).isSorted();
    assertThat(ids.stream().map(QueueId::value).toList()).isSorted();
  }

  @Test
  void idsInTheSameMillisecondDiffer() {
    SplittableRandom random = new SplittableRandom(9);
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    var seen = new HashSet<QueueId>();
    for (int i = 0; i < 10_000; i++) {
      seen.add(QueueId.next(t, random));
    }
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void malformedIdsAreRejected() {
    assertThat(QueueId.isValid("0123456789ABCDEF")).isTrue();
    assertThat(QueueId.isValid("0123456789abcdef")).isFalse();
    assertThat(QueueId.isValid("0123456789ABCDEI")).isFalse();
    assertThat(QueueId.isValid("../../etc/passwd")).isFalse();
    assertThat(QueueId.isValid("0123")).isFalse();
    assertThatThrownBy(() -> QueueId.parse("x")).isInstanceOf(IllegalArgumentException.class);
  }
}
