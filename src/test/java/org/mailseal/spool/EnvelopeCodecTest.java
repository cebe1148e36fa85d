// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {
  private final EnvelopeCodec codec = new EnvelopeCodec();

  @Test
  void envelopeWritesAndReadsBack() throws IOException {
    SpoolEntry e =
        new SpoolEntry(
            QueueId.parse("06H05CP500NW1DRJ"),
            "",
            List.of(
                new Recipient("bob@example.net", RecipientState.DELIVERED, "250 ok"),
                new Recipient("k\u00e4the@example.de", RecipientState.PENDING, "")),
            "",
            true,
            Instant.parse("2026-11-22T10:00:00Z"),
            3,
            Instant.parse("2026-11-22T10:21:00.5Z"),
            1234);

    assertThat(codec.read(codec.write(e))).isEqualTo(e);
  }

  @Test
  void envelopeOfUnknownVersionOrMissingFieldIsRejected() {
    assertThatThrownBy(() -> codec.read(bytes("{\"version\":2}")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("version 2");
    assertThatThrownBy(() -> codec.read(bytes("{\"version\":1,\"id\":\"06H05CP500NW1DRJ\"}")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("missing");
    assertThatThrownBy(() -> codec.read(bytes("[]"))).isInstanceOf(IOException.class);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
