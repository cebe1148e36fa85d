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

  /** Rewrites an entry's envelope the way a delivery attempt does, so that it has an .env. */
  private void deferOnce(QueueId id) throws SpoolException {
    try (Spool spool = open()) {
      spool.recordAttempt(
          id,
          List.of(Recipient.pending("bob@example.net").deferred("451 4.3.0 later")),
          T0.plusSeconds(60));
    }
  }

  /** Writes an entry in the two-file format of earlier versions: bare message and .env. */
  private QueueId storeTwoFileFormat(int n) throws IOException {
    QueueId id = QueueId.next(T0.plusMillis(n), new SecureRandom());
    byte[] m = Messages.numbered(n);
    Files.write(file(id, ".eml"), m);
    SpoolEntry e = SpoolEntry.accepted(id, Messages.draft("bob@example.net"), T0, m.length);
    Files.write(file(id, ".env"), new EnvelopeCodec().write(e));
    return id;
  }

  private static byte[] read(Spool s, QueueId id) throws Exception {
    try (InputStream in = s.open(id)) {
      return in.readAllBytes();
    }
  }

  @Test
  void eachMessageIsOneFileThatCarriesItsEnvelope() throws Exception {
    QueueId id = storeAndClose(1).get(0);

    assertThat(namesIn(dir))
        .containsExactlyInAnyOrder(".lock", "control", "corrupt", "free", id + ".eml");
    try (Spool spool = open()) {
      assertThat(spool.entry(id).orElseThrow().recipients())
          .extracting(Recipient::address)
          .containsExactly("bob@example.net");
      assertThat(read(spool, id)).isEqualTo(Messages.numbered(0));
      assertThat(spool.recoveryReport().recovered()).isEqualTo(1);
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
        .containsExactlyInAnyOrder(".lock", "control", "corrupt", "free", kept + ".eml");
  }

  @Test
  void rewrittenEnvelopeIsNewerThanTheOneTheMessageCarries() throws Exception {
    QueueId id = storeAndClose(1).get(0);
    deferOnce(id);

    try (Spool spool = open()) {
      SpoolEntry e = spool.entry(id).orElseThrow();
      assertThat(e.attempts()).isEqualTo(1);
      assertThat(e.recipients().get(0).lastReply()).isEqualTo("451 4.3.0 later");
      assertThat(read(spool, id)).isEqualTo(Messages.numbered(0));
    }
  }

  @Test
  void removalInterruptedAfterDeletingTheMessageIsFinished() throws Exception {
    List<QueueId> ids = storeAndClose(3);
    deferOnce(ids.get(1));
    Files.delete(file(ids.get(1), ".eml"));

    try (Spool spool = open()) {
      assertThat(spool.list()).extracting(SpoolEntry::id).containsExactly(ids.get(0), ids.get(2));
      assertThat(read(spool, ids.get(2))).isEqualTo(Messages.numbered(2));
      assertThat(spool.recoveryReport().finishedRemovals()).isEqualTo(1);
      assertThat(spool.recoveryReport().corrupt()).isZero();
    }
    assertThat(Files.exists(file(ids.get(1), ".env"))).isFalse();
  }

  @Test
  void damagedStoredEnvelopeMovesTheMessageToCorrupt() throws Exception {
    List<QueueId> ids = storeAndClose(2);
    Path eml = file(ids.get(0), ".eml");
    byte[] bytes = Files.readAllBytes(eml);
    // Inside the JSON, just before the footer: the braces no longer close.
    bytes[bytes.length - EnvelopeTrailer.FOOTER - 1] = '[';
    Files.write(eml, bytes);

    try (Spool spool = open()) {
      assertThat(spool.list()).extracting(SpoolEntry::id).containsExactly(ids.get(1));
      assertThat(spool.recoveryReport().corrupt()).isEqualTo(1);
    }
    assertThat(namesIn(dir.resolve("corrupt"))).containsExactly(ids.get(0) + ".eml");
  }

  @Test
  void truncatedRewrittenEnvelopeMovesBothFilesToCorrupt() throws Exception {
    List<QueueId> ids = storeAndClose(2);
    deferOnce(ids.get(0));
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
  void messageMissingABytesIsCaughtBySizeAndMovedToCorrupt() throws Exception {
    QueueId id = storeAndClose(1).get(0);
    Path eml = file(id, ".eml");
    byte[] bytes = Files.readAllBytes(eml);
    byte[] cut = new byte[bytes.length - 1];
    System.arraycopy(bytes, 1, cut, 0, cut.length); // the trailer is whole, the message is not
    Files.write(eml, cut);

    try (Spool spool = open()) {
      assertThat(spool.depth()).isZero();
    }
    assertThat(namesIn(dir.resolve("corrupt"))).containsExactly(id + ".eml");
  }

  @Test
  void messageFileCutShortIsMovedToCorrupt() throws Exception {
    QueueId id = storeAndClose(1).get(0);
    Path eml = file(id, ".eml");
    byte[] bytes = Files.readAllBytes(eml);
    Files.write(eml, Arrays.copyOf(bytes, bytes.length - 1));

    try (Spool spool = open()) {
      assertThat(spool.depth()).isZero();
    }
    assertThat(namesIn(dir.resolve("corrupt"))).containsExactly(id + ".eml");
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
    Path eml = file(id, ".eml");
    byte[] bytes = Files.readAllBytes(eml);
    Files.write(eml, Arrays.copyOf(bytes, bytes.length - 1));

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

  // A spool written by an earlier version (message and envelope in two files) still opens.

  @Test
  void twoFileFormatEntriesAreRecoveredAndDelivered() throws Exception {
    QueueId a = storeTwoFileFormat(0);
    QueueId b = storeTwoFileFormat(1);

    try (Spool spool = open()) {
      assertThat(spool.list()).extracting(SpoolEntry::id).containsExactly(a, b);
      assertThat(read(spool, b)).isEqualTo(Messages.numbered(1));
      spool.remove(a);
    }
    assertThat(namesIn(dir))
        .containsExactlyInAnyOrder(".lock", "control", "corrupt", "free", b + ".eml", b + ".env");
    assertThat(Spool.scan(dir)).extracting(SpoolEntry::id).containsExactly(b);
  }

  @Test
  void twoFileFormatMessageWithoutEnvelopeIsMovedToCorrupt() throws Exception {
    QueueId id = storeTwoFileFormat(0);
    Files.delete(file(id, ".env"));

    try (Spool spool = open()) {
      assertThat(spool.depth()).isZero();
    }
    assertThat(namesIn(dir.resolve("corrupt"))).containsExactly(id + ".eml");
    assertThat(Files.readAllBytes(dir.resolve("corrupt").resolve(id + ".eml")))
        .isEqualTo(Messages.numbered(0));
  }

  @Test
  void twoFileFormatSizeMismatchMovesBothToCorrupt() throws Exception {
    QueueId id = storeTwoFileFormat(0);
    Files.write(file(id, ".eml"), new byte[] {'x'}, java.nio.file.StandardOpenOption.APPEND);

    try (Spool spool = open()) {
      assertThat(spool.depth()).isZero();
    }
    assertThat(namesIn(dir.resolve("corrupt"))).containsExactly(id + ".eml", id + ".env");
  }

  @Test
  void twoFileFormatStoreInterruptedBetweenItsRenamesIsDeleted() throws Exception {
    QueueId a = storeTwoFileFormat(0);
    QueueId b = storeTwoFileFormat(1);
    // Message renamed, envelope still a temp: the crash came before the directory sync.
    Files.move(file(a, ".env"), file(a, ".env.tmp"));
    // The other order, as a file system may persist the renames in either order.
    Files.move(file(b, ".eml"), file(b, ".eml.tmp"));

    try (Spool spool = open()) {
      assertThat(spool.depth()).isZero();
      assertThat(spool.recoveryReport().corrupt()).isZero();
    }
    assertThat(namesIn(dir)).containsExactlyInAnyOrder(".lock", "control", "corrupt", "free");
  }

  @Test
  void twoFileFormatRemovalInterruptedAfterItsCommitPointIsFinished() throws Exception {
    QueueId a = storeTwoFileFormat(0);
    QueueId b = storeTwoFileFormat(1);
    Files.move(file(a, ".env"), file(a, ".del"));

    try (Spool spool = open()) {
      assertThat(spool.list()).extracting(SpoolEntry::id).containsExactly(b);
      assertThat(spool.recoveryReport().finishedRemovals()).isEqualTo(1);
    }
    assertThat(namesIn(dir))
        .containsExactlyInAnyOrder(".lock", "control", "corrupt", "free", b + ".eml", b + ".env");
  }
}
