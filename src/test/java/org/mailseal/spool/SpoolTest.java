// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.testing.MutableClock;

class SpoolTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);
  private Spool spool;

  @BeforeEach
  void open() throws SpoolException {
    spool = Spool.open(dir, clock, options());
  }

  @AfterEach
  void close() {
    spool.close();
  }

  private static SpoolOptions options() {
    return SpoolOptions.defaults(new SecureRandom());
  }

  private Spool reopen() throws SpoolException {
    spool.close();
    spool = Spool.open(dir, clock, options());
    return spool;
  }

  private static byte[] read(Spool s, QueueId id) throws Exception {
    try (InputStream in = s.open(id)) {
      return in.readAllBytes();
    }
  }

  @Test
  void storedMessageComesBackAfterReopenWithIdenticalBytesAndEnvelope() throws Exception {
    byte[] message = Messages.numbered(3);
    QueueId id =
        spool.store(
            Messages.draft("bob@example.net", "carol@example.com"), out -> out.write(message));
    SpoolEntry stored = spool.entry(id).orElseThrow();

    Spool again = reopen();

    assertThat(again.entry(id)).contains(stored);
    assertThat(read(again, id)).isEqualTo(message);
    assertThat(stored.sender()).isEqualTo("alice@example.org");
    assertThat(stored.authUser()).isEqualTo("alice");
    assertThat(stored.accepted()).isEqualTo(T0);
    assertThat(stored.nextAttempt()).isEqualTo(T0);
    assertThat(stored.size()).isEqualTo(message.length);
    assertThat(stored.attempts()).isZero();
    assertThat(stored.recipients())
        .extracting(Recipient::address, Recipient::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("bob@example.net", RecipientState.PENDING),
            org.assertj.core.groups.Tuple.tuple("carol@example.com", RecipientState.PENDING));
    assertThat(again.recoveryReport().recovered()).isEqualTo(1);
  }

  @Test
  void storeFromInputStreamKeepsBytesAndBounceFlag() throws Exception {
    byte[] message = Messages.numbered(4);
    QueueId id =
        spool.store(EnvelopeDraft.bounceTo("alice@example.org"), new ByteArrayInputStream(message));

    SpoolEntry e = reopen().entry(id).orElseThrow();

    assertThat(e.bounce()).isTrue();
    assertThat(e.sender()).isEmpty();
    assertThat(read(spool, id)).isEqualTo(message);
  }

  @Test
  void perRecipientStateSurvivesReopenSoDeliveredRecipientsAreNotTriedAgain() throws Exception {
    QueueId id =
        spool.store(
            Messages.draft("bob@example.net", "carol@example.com", "dave@example.com"),
            out -> out.write(Messages.numbered(1)));
    Instant retry = T0.plus(Duration.ofMinutes(1));
    spool.recordAttempt(
        id,
        List.of(
            Recipient.pending("bob@example.net").delivered("250 2.0.0 ok"),
            Recipient.pending("carol@example.com").failed("550 5.1.1 no such user"),
            Recipient.pending("dave@example.com").deferred("451 4.3.0 try later")),
        retry);

    SpoolEntry e = reopen().entry(id).orElseThrow();

    assertThat(e.attempts()).isEqualTo(1);
    assertThat(e.nextAttempt()).isEqualTo(retry);
    assertThat(e.recipients())
        .containsExactly(
            new Recipient("bob@example.net", RecipientState.DELIVERED, "250 2.0.0 ok"),
            new Recipient("carol@example.com", RecipientState.FAILED, "550 5.1.1 no such user"),
            new Recipient("dave@example.com", RecipientState.PENDING, "451 4.3.0 try later"));
    assertThat(e.pending()).extracting(Recipient::address).containsExactly("dave@example.com");
  }

  @Test
  void deliveredRecipientCannotBeMarkedPendingAgain() throws Exception {
    QueueId id = spool.store(Messages.draft("bob@example.net"), out -> out.write(1));
    spool.recordAttempt(id, List.of(Recipient.pending("bob@example.net").delivered("250 ok")), T0);

    assertThatThrownBy(
            () ->
                spool.recordAttempt(
                    id, List.of(Recipient.pending("bob@example.net").deferred("451")), T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already DELIVERED");
    assertThat(spool.entry(id).orElseThrow().attempts()).isEqualTo(1);
  }

  @Test
  void removeDropsTheEntryAndItsFilesBeforeItReturns() throws Exception {
    QueueId id = spool.store(Messages.draft("bob@example.net"), out -> out.write(1));
    spool.recordAttempt(
        id, List.of(Recipient.pending("bob@example.net").deferred("451 later")), T0);

    spool.remove(id);

    assertThat(spool.entry(id)).isEmpty();
    assertThat(spool.depth()).isZero();
    assertThat(entryFiles()).as("message and rewritten envelope").isEmpty();
    assertThatThrownBy(() -> spool.open(id)).isInstanceOf(SpoolException.NoSuchEntry.class);
    assertThatThrownBy(() -> spool.remove(id)).isInstanceOf(SpoolException.NoSuchEntry.class);
    assertThat(reopen().depth()).isZero();
  }

  @Test
  void removedMessageFileIsEmptiedAndReusedByTheNextStore() throws Exception {
    QueueId first =
        spool.store(Messages.draft("bob@example.net"), out -> out.write(Messages.numbered(1)));
    Object inode = Files.getAttribute(dir.resolve(first.value() + ".eml"), "unix:ino");

    spool.remove(first);

    List<Path> free = filesIn(dir.resolve("free"));
    assertThat(free).hasSize(1);
    assertThat(Files.size(free.get(0))).as("no message data lingers in free/").isZero();

    byte[] message = Messages.numbered(2);
    QueueId second = spool.store(Messages.draft("carol@example.net"), out -> out.write(message));

    assertThat(filesIn(dir.resolve("free"))).isEmpty();
    assertThat(Files.getAttribute(dir.resolve(second.value() + ".eml"), "unix:ino"))
        .as("the same file, renamed: no inode allocated")
        .isEqualTo(inode);
    assertThat(read(spool, second)).isEqualTo(message);
    assertThat(reopen().entry(second).orElseThrow().recipients().get(0).address())
        .isEqualTo("carol@example.net");
  }

  @Test
  void fileOfAMessageBeingReadIsDeletedNotReused() throws Exception {
    byte[] original = Messages.numbered(1);
    QueueId id = spool.store(Messages.draft("bob@example.net"), out -> out.write(original));

    try (InputStream reading = spool.open(id)) {
      byte[] head = reading.readNBytes(10);
      spool.remove(id);
      assertThat(filesIn(dir.resolve("free"))).isEmpty();
      // A store now must not get the file under the reader's feet.
      spool.store(Messages.draft("carol@example.net"), out -> out.write(Messages.numbered(2)));
      byte[] rest = reading.readAllBytes();
      byte[] all = new byte[head.length + rest.length];
      System.arraycopy(head, 0, all, 0, head.length);
      System.arraycopy(rest, 0, all, head.length, rest.length);
      assertThat(all).isEqualTo(original);
    }
  }

  @Test
  void closedReadersNoLongerKeepAFileFromReuse() throws Exception {
    QueueId id = spool.store(Messages.draft("bob@example.net"), out -> out.write(1));
    read(spool, id);
    read(spool, id);

    spool.remove(id);

    assertThat(filesIn(dir.resolve("free"))).hasSize(1);
  }

  @Test
  void entryWhoseMessageFileVanishedCanStillBeRemoved() throws Exception {
    QueueId id = spool.store(Messages.draft("bob@example.net"), out -> out.write(1));
    Files.delete(dir.resolve(id.value() + ".eml"));

    spool.remove(id);

    assertThat(spool.entry(id)).isEmpty();
    assertThat(filesIn(dir.resolve("free"))).isEmpty();
  }

  @Test
  void whateverACrashLeftInFreeIsDeletedAtOpen() throws Exception {
    Files.writeString(dir.resolve("free").resolve("7"), "half-emptied message");

    reopen();

    assertThat(filesIn(dir.resolve("free"))).isEmpty();
  }

  @Test
  void secondOpenOfTheSameDirectoryIsLocked() {
    assertThatThrownBy(() -> Spool.open(dir, clock, options()))
        .isInstanceOf(SpoolException.Locked.class)
        .hasMessageContaining(".lock");
  }

  @Test
  void dueListsOnlyDueEntriesOldestFirstUpToMax() throws Exception {
    QueueId first = spool.store(Messages.draft("a@example.net"), out -> out.write(1));
    clock.advance(Duration.ofSeconds(1));
    QueueId second = spool.store(Messages.draft("b@example.net"), out -> out.write(2));
    clock.advance(Duration.ofSeconds(1));
    QueueId third = spool.store(Messages.draft("c@example.net"), out -> out.write(3));
    spool.recordAttempt(second, List.of(), clock.instant().plus(Duration.ofMinutes(5)));

    assertThat(spool.due(clock.instant(), 10)).containsExactly(first, third);
    assertThat(spool.due(clock.instant(), 1)).containsExactly(first);
    assertThat(spool.due(clock.instant().plus(Duration.ofMinutes(5)), 10))
        .containsExactly(first, second, third);
    assertThat(spool.list()).extracting(SpoolEntry::id).containsExactly(first, second, third);
    assertThat(spool.oldestAge()).contains(Duration.ofSeconds(2));
  }

  @Test
  void failingWriterLeavesNoFilesAndNoEntry() throws IOException {
    assertThatThrownBy(
            () ->
                spool.store(
                    Messages.draft("bob@example.net"),
                    out -> {
                      out.write(new byte[1000]);
                      throw new IOException("client went away");
                    }))
        .isInstanceOf(SpoolException.Storage.class);

    assertThat(spool.depth()).isZero();
    assertThat(entryFiles()).isEmpty();
  }

  @Test
  void scanReadsEntriesWhileTheSpoolIsOpen() throws Exception {
    QueueId id = spool.store(Messages.draft("bob@example.net"), out -> out.write(1));

    assertThat(Spool.scan(dir)).containsExactly(spool.entry(id).orElseThrow());
  }

  @Test
  void controlRequestFromAnotherProcessIsAppliedAndAnswered() throws Exception {
    QueueId keep = spool.store(Messages.draft("bob@example.net"), out -> out.write(1));
    QueueId drop = spool.store(Messages.draft("carol@example.net"), out -> out.write(2));
    spool.reschedule(keep, T0.plus(Duration.ofHours(1)));
    var random = new java.util.SplittableRandom(7);

    Path removeReq = SpoolControl.submit(dir, new ControlRequest.Remove(drop), random);
    Path retryReq = SpoolControl.submit(dir, new ControlRequest.RetryNow(keep), random);
    Path unknown = SpoolControl.submit(dir, new ControlRequest.Remove(drop), random);
    assertThat(SpoolControl.reply(removeReq)).isEmpty();

    assertThat(spool.applyControlRequests()).isEqualTo(3);

    assertThat(spool.entry(drop)).isEmpty();
    assertThat(spool.entry(keep).orElseThrow().nextAttempt()).isEqualTo(T0);
    assertThat(SpoolControl.reply(removeReq)).contains("ok removed " + drop);
    assertThat(SpoolControl.reply(retryReq)).contains("ok retry " + keep);
    assertThat(SpoolControl.reply(unknown))
        .hasValueSatisfying(r -> assertThat(r).startsWith("error"));
    try (var files = Files.list(dir.resolve("control"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void unreadableControlRequestIsAnsweredWithAnError() throws Exception {
    Files.writeString(dir.resolve("control/junk.req"), "{not json", StandardCharsets.UTF_8);

    assertThat(spool.applyControlRequests()).isEqualTo(1);

    assertThat(SpoolControl.reply(dir.resolve("control/junk.req")))
        .hasValueSatisfying(r -> assertThat(r).startsWith("error unreadable request"));
  }

  private static List<Path> filesIn(Path d) throws IOException {
    try (var files = Files.list(d)) {
      return files.toList();
    }
  }

  private List<Path> entryFiles() throws IOException {
    try (var files = Files.list(dir)) {
      return files
          .filter(p -> SpoolFiles.classify(p.getFileName().toString()).isPresent())
          .toList();
    }
  }
}
