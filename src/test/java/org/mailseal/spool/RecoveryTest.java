// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.MutableClock;

/** What open() does with what a crash left behind, simulated by arranging the files by hand. */
class RecoveryTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);

  private Spool open() throws SpoolException {
    return Spool.open(dir, clock, SpoolOptions.defaults(new SecureRandom()));
  }

  /** Stores n messages and closes the spool; returns their ids in order. */
  private List<QueueId> storeAndClose(int n) throws SpoolException {
    try (Spool spool = open()) {
      QueueId[] ids = new QueueId[n];
      for (int i = 0; i < n; i++) {
        byte[] m = Messages.numbered(i);
        clock.advance(java.time.Duration.ofMillis(1)); // ids order by millisecond
        ids[i] = spool.store(Messages.draft("bob@example.net"), out -> out.write(m));
      }
      return List.of(ids);
    }
  }

  private Path file(QueueId id, String suffix) {
    return dir.resolve(id.value() + suffix);
  }

  private List<String> namesIn(Path d) throws IOException {
    try (var s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static byte[] read(Spool s, QueueId id) throws Exception {
    try (InputStream in = s.open(id)) {
      return in.readAllBytes();
    }
  }

  @Test
  void leftoverTempFilesOfAnUnfinishedStoreAreDeleted() throws Exception {
    QueueId kept = storeAndClose(1).get(0);
    QueueId lost = QueueId.next(T0, new SecureRandom());
    Files.write(file(lost, ".eml.tmp"), new byte[] {1, 2, 3});
    Files.write(file(lost, ".env.tmp"), new byte[] {'{'});

    try (Spool spool = open()) {
      assertThat(spool.list()).extracting(SpoolEntry::id).containsExactly(kept);
      assertThat(spool.recoveryReport().deletedTemps()).isEqualTo(2);
    }
    assertThat(namesIn(dir))
        .containsExactlyInAnyOrder(".lock", "control", "corrupt", kept + ".eml", kept + ".env");
  }

  @Test
  void envelopeWithoutMessageIsMovedToCorruptAndTheRestRecovered() throws Exception {
    List<QueueId> ids = storeAndClose(3);
    Files.delete(file(ids.get(1), ".eml"));

    try (Spool spool = open()) {
      assertThat(spool.list()).extracting(SpoolEntry::id).containsExactly(ids.get(0), ids.get(2));
      assertThat(read(spool, ids.get(2))).isEqualTo(Messages.numbered(2));
      assertThat(spool.recoveryReport().corrupt()).isEqualTo(1);
    }
    assertThat(namesIn(dir.resolve("corrupt"))).containsExactly(ids.get(1) + ".env");
  }

  @Test
  void messageWithoutEnvelopeIsMovedToCorruptAndTheRestRecovered() throws Exception {
    List<QueueId> ids = storeAndClose(3);
    Files.delete(file(ids.get(0), ".env"));

    try (Spool spool = open()) {
      assertThat(spool.list()).extracting(SpoolEntry::id).containsExactly(ids.get(1), ids.get(2));
    }
    assertThat(namesIn(dir.resolve("corrupt"))).containsExactly(ids.get(0) + ".eml");
    assertThat(Files.readAllBytes(dir.resolve("corrupt").resolve(ids.get(0) + ".eml")))
        .isEqualTo(Messages.numbered(0));
  }

  @Test
  void truncatedEnvelopeMovesBothFilesToCorrupt() throws Exception {
    List<QueueId> ids = storeAndClose(2);
    Path env = file(ids.get(0), ".env");
    byte[] json = Files.readAllBytes(env);
    Files.write(env, Arrays.copyOf(json, json.length / 2));

    try (Spool spool = open()) {
      assertThat(spool.list()).extracting(SpoolEntry::id).containsExactly(ids.get(1));
    }
    assertThat(namesIn(dir.resolve("corrupt")))
        .containsExactly(ids.get(0) + ".eml", ids.get(0) + ".env");
  }

  @Test
  void truncatedMessageIsCaughtBySizeAndMovedToCorrupt() throws Exception {
    QueueId id = storeAndClose(1).get(0);
    Path eml = file(id, ".eml");
    byte[] bytes = Files.readAllBytes(eml);
    Files.write(eml, Arrays.copyOf(bytes, bytes.length - 1));

    try (Spool spool = open()) {
      assertThat(spool.depth()).isZero();
    }
    assertThat(namesIn(dir.resolve("corrupt"))).containsExactly(id + ".eml", id + ".env");
  }

  @Test
  void storeInterruptedBetweenItsTwoRenamesIsDeletedBecauseItWasNeverAcknowledged()
      throws Exception {
    List<QueueId> ids = storeAndClose(2);
    // Message renamed, envelope still a temp: the crash came before the directory sync.
    Files.move(file(ids.get(0), ".env"), file(ids.get(0), ".env.tmp"));
    // The other order, as a file system may persist the renames in either order.
    Files.move(file(ids.get(1), ".eml"), file(ids.get(1), ".eml.tmp"));

    try (Spool spool = open()) {
      assertThat(spool.depth()).isZero();
      assertThat(spool.recoveryReport().corrupt()).isZero();
    }
    assertThat(namesIn(dir)).containsExactlyInAnyOrder(".lock", "control", "corrupt");
  }

  @Test
  void removalInterruptedAfterItsCommitPointIsFinished() throws Exception {
    List<QueueId> ids = storeAndClose(2);
    Files.move(file(ids.get(0), ".env"), file(ids.get(0), ".del"));

    try (Spool spool = open()) {
      assertThat(spool.list()).extracting(SpoolEntry::id).containsExactly(ids.get(1));
      assertThat(spool.recoveryReport().finishedRemovals()).isEqualTo(1);
    }
    assertThat(namesIn(dir))
        .containsExactlyInAnyOrder(
            ".lock", "control", "corrupt", ids.get(1) + ".eml", ids.get(1) + ".env");
  }

  @Test
  void interruptedEnvelopeRewriteKeepsTheCommittedEnvelope() throws Exception {
    QueueId id = storeAndClose(1).get(0);
    Files.write(file(id, ".env.tmp"), new byte[] {'{', '"'});

    try (Spool spool = open()) {
      assertThat(spool.entry(id)).isPresent();
    }
    assertThat(Files.exists(file(id, ".env.tmp"))).isFalse();
  }

  @Test
  void corruptFilesNeverOverwriteEarlierOnes() throws Exception {
    QueueId id = storeAndClose(1).get(0);
    Files.createDirectories(dir.resolve("corrupt"));
    Files.writeString(dir.resolve("corrupt").resolve(id + ".eml"), "older");
    Files.delete(file(id, ".env"));

    open().close();

    assertThat(namesIn(dir.resolve("corrupt"))).containsExactly(id + ".eml", id + ".eml.1");
    assertThat(Files.readString(dir.resolve("corrupt").resolve(id + ".eml"))).isEqualTo("older");
  }

  @Test
  void unknownFilesAreLeftAlone() throws Exception {
    Files.writeString(dir.resolve("README"), "hello");

    try (Spool spool = open()) {
      assertThat(spool.depth()).isZero();
    }
    assertThat(Files.readString(dir.resolve("README"))).isEqualTo("hello");
  }
}
