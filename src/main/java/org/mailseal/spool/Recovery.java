// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.mailseal.spool.SpoolFiles.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link Spool#open} does to the directory before anything else, given how far a crash may
 * have let each store, update or removal get (see {@code package-info.java}):
 *
 * <ul>
 *   <li>{@code .eml} with a valid {@link EnvelopeTrailer} whose size matches the file: a committed
 *       entry, queued again, with the state of its {@code .env} when delivery rewrote the envelope
 *       (a left-over {@code .tmp} is deleted);
 *   <li>{@code .env} without {@code .eml}: a removal interrupted after it deleted the message:
 *       finished;
 *   <li>only {@code .tmp} files: an envelope rewrite of an entry removed meanwhile, or a store of
 *       the earlier format that never reached its rename: deleted (stores now write in {@code
 *       free/}, which {@link Spool#open} empties);
 *   <li>files of the earlier two-file format (an {@code .eml} without trailer): judged by its
 *       rules, {@code .eml} + {@code .env} with matching size queued again, a {@code .del}
 *       finished, a final file whose partner is only a {@code .tmp} deleted;
 *   <li>a message file whose trailer, envelope or size is wrong, or an old-format message without
 *       envelope: moved to {@code corrupt/} with a WARN, never deleted.
 * </ul>
 */
final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  /** What recovery found. */
  record Report(int recovered, int corrupt, int deletedTemps, int finishedRemovals) {}

  private final SpoolFiles files;
  private final EnvelopeCodec codec;
  private final Syncer syncer;
  private int recovered;
  private int corrupt;
  private int deletedTemps;
  private int finishedRemovals;

  Recovery(SpoolFiles files, EnvelopeCodec codec, Syncer syncer) {
    this.files = files;
    this.codec = codec;
    this.syncer = syncer;
  }

  /** Cleans the directory and hands every committed entry to {@code into}, oldest first. */
  Report run(Consumer<SpoolEntry> into) throws IOException {
    Map<QueueId, Map<Kind, Path>> byId = new TreeMap<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(files.dir())) {
      for (Path p : stream) {
        if (Files.isDirectory(p)) {
          continue;
        }
        String name = p.getFileName().toString();
        var classified = SpoolFiles.classify(name);
        if (classified.isEmpty()) {
          if (!name.equals(SpoolFiles.LOCK)) {
            log.warn("spool ignores unknown file file={}", p);
          }
          continue;
        }
        byId.computeIfAbsent(classified.get().id(), k -> new EnumMap<>(Kind.class))
            .put(classified.get().kind(), p);
      }
    }
    for (Map.Entry<QueueId, Map<Kind, Path>> e : byId.entrySet()) {
      recoverOne(e.getKey(), e.getValue(), into);
    }
    if (corrupt > 0) {
      syncer.syncDirectory(files.corruptDir());
    }
    if (corrupt + deletedTemps + finishedRemovals > 0) {
      syncer.syncDirectory(files.dir());
    }
    return new Report(recovered, corrupt, deletedTemps, finishedRemovals);
  }

  private void recoverOne(QueueId id, Map<Kind, Path> found, Consumer<SpoolEntry> into)
      throws IOException {
    Path message = found.get(Kind.MESSAGE);
    Path envelope = found.get(Kind.ENVELOPE);
    if (found.containsKey(Kind.REMOVING)) {
      // Two-file format: the envelope was renamed to .del and that was synced: the entry is gone.
      deleteIfPresent(message);
      deleteIfPresent(envelope);
      deleteIfPresent(found.get(Kind.REMOVING));
      deleteTemps(found);
      finishRemoval(id);
      return;
    }
    if (message == null) {
      if (envelope != null && found.containsKey(Kind.MESSAGE_TEMP)) {
        // Two-file format: a store that crashed between its renames, so before 250.
        log.info("spool deletes interrupted store queueId={} file={}", id, envelope);
        Files.delete(envelope);
      } else if (envelope != null) {
        // Removal deletes the message first: its rewritten envelope is all that is left.
        Files.delete(envelope);
        finishRemoval(id);
      }
      deleteTemps(found);
      return;
    }
    Optional<byte[]> trailer;
    long fileSize;
    try (FileChannel ch = FileChannel.open(message, StandardOpenOption.READ)) {
      fileSize = ch.size();
      trailer = EnvelopeTrailer.read(ch);
    }
    if (trailer.isEmpty()) {
      recoverTwoFile(id, found, message, envelope, fileSize, into);
      return;
    }
    deleteTemps(found);
    SpoolEntry stored;
    try {
      stored = codec.read(trailer.get());
    } catch (IOException ex) {
      moveToCorrupt(id, "stored envelope unreadable: " + ex.getMessage(), message, envelope);
      return;
    }
    long expected = stored.size() + EnvelopeTrailer.length(trailer.get().length);
    if (!stored.id().equals(id)) {
      moveToCorrupt(id, "stored envelope names another id " + stored.id(), message, envelope);
      return;
    }
    if (expected != fileSize) {
      moveToCorrupt(
          id, "message file is " + fileSize + " bytes, expected " + expected, message, envelope);
      return;
    }
    SpoolEntry entry = stored;
    if (envelope != null) {
      // A rewritten envelope (after a delivery attempt) is newer than the stored one.
      try {
        entry = codec.read(Files.readAllBytes(envelope));
      } catch (IOException ex) {
        moveToCorrupt(id, "envelope unreadable: " + ex.getMessage(), message, envelope);
        return;
      }
      if (!entry.id().equals(id) || entry.size() != stored.size()) {
        moveToCorrupt(id, "envelope does not match its message file", message, envelope);
        return;
      }
    }
    into.accept(entry);
    recovered++;
  }

  /** A message file without a trailer: the two-file format, where {@code .env} is required. */
  private void recoverTwoFile(
      QueueId id,
      Map<Kind, Path> found,
      Path message,
      Path envelope,
      long size,
      Consumer<SpoolEntry> into)
      throws IOException {
    if (envelope == null) {
      if (found.containsKey(Kind.ENVELOPE_TEMP)) {
        // Both renames of a store precede its directory sync, and 250 follows that sync: this
        // store was never acknowledged.
        log.info("spool deletes interrupted store queueId={} file={}", id, message);
        Files.delete(message);
        deleteTemps(found);
        return;
      }
      deleteTemps(found);
      moveToCorrupt(id, "message without envelope", message);
      return;
    }
    deleteTemps(found);
    SpoolEntry entry;
    try {
      entry = codec.read(Files.readAllBytes(envelope));
    } catch (IOException ex) {
      moveToCorrupt(id, "envelope unreadable: " + ex.getMessage(), message, envelope);
      return;
    }
    if (!entry.id().equals(id)) {
      moveToCorrupt(id, "envelope names another id " + entry.id(), message, envelope);
    } else if (entry.size() != size) {
      moveToCorrupt(
          id, "message is " + size + " bytes, envelope says " + entry.size(), message, envelope);
    } else {
      into.accept(entry);
      recovered++;
    }
  }

  private void finishRemoval(QueueId id) {
    finishedRemovals++;
    log.info("spool finished interrupted removal queueId={}", id);
  }

  private void deleteTemps(Map<Kind, Path> found) throws IOException {
    for (Kind k : new Kind[] {Kind.MESSAGE_TEMP, Kind.ENVELOPE_TEMP}) {
      if (deleteIfPresent(found.get(k))) {
        deletedTemps++;
      }
    }
  }

  private static boolean deleteIfPresent(Path p) throws IOException {
    return p != null && Files.deleteIfExists(p);
  }

  private void moveToCorrupt(QueueId id, String why, Path... paths) throws IOException {
    Files.createDirectories(files.corruptDir());
    for (Path p : paths) {
      if (p == null) {
        continue;
      }
      Path target = SpoolFiles.moveAside(p, files.corruptDir());
      log.warn(
          "spool moved corrupt file queueId={} file={} to={} reason=\"{}\"", id, p, target, why);
    }
    corrupt++;
  }
}
