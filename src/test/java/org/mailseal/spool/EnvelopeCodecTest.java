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
  void delayWarningAndBounceRequestReadBackAndDefaultToFalseInOlderEnvelopes() throws IOException {
    SpoolEntry e =
        new SpoolEntry(
            QueueId.parse("06H05CP500NW1DRJ"),
            "a@example.com",
            List.of(Recipient.pending("bob@example.net")),
            "alice",
            false,
            Instant.parse("2026-11-22T10:00:00Z"),
            1,
            Instant.parse("2026-11-22T10:01:00Z"),
            10,
            true,
            true);
    assertThat(codec.read(codec.write(e))).isEqualTo(e);
    String older =
        "{\"version\":1,\"id\":\"06H05CP500NW1DRJ\",\"sender\":\"a@example.com\","
            + "\"authUser\":\"alice\",\"bounce\":false,\"accepted\":\"2026-11-22T10:00:00Z\","
            + "\"attempts\":1,\"nextAttempt\":\"2026-11-22T10:01:00Z\",\"size\":10,"
            + "\"recipients\":[{\"address\":\"bob@example.net\",\"state\":\"PENDING\","
            + "\"lastReply\":\"\"}]}";
    SpoolEntry read = codec.read(bytes(older));
    assertThat(read.delayWarned()).isFalse();
    assertThat(read.bounceRequested()).isFalse();
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
