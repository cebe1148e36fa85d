// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;

/** Keeps every DSN it is given instead of signing and spooling it. */
final class RecordingSubmission implements LocalSubmission {
  record Submitted(EnvelopeDraft envelope, String text, QueueId id) {}

  final List<Submitted> submitted = new CopyOnWriteArrayList<>();
  private final Random random = new Random(5);
  volatile boolean refuse;

  @Override
  public QueueId submit(EnvelopeDraft envelope, byte[] message) throws Refused {
    if (refuse) {
      throw new Refused("refused by the test", true, null);
    }
    QueueId id = QueueId.next(Instant.parse("2026-11-22T10:00:00Z"), random);
    submitted.add(new Submitted(envelope, new String(message, StandardCharsets.UTF_8), id));
    return id;
  }
}
