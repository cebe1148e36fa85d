// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
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
 *   <li>{@code .eml} + {@code .env}, envelope valid and sizes equal: a committed entry, queued
 *       again (a left-over {@code .env.tmp} of an interrupted update is deleted);
 *   <li>a {@code .del}: a removal that was interrupted after its commit point: finished;
 *   <li>one final file whose partner exists only as a {@code .tmp}: a store interrupted before its
 *       directory sync, so before {@code 250}: deleted, the client retries;
 *   <li>only {@code .tmp} files: deleted;
 *   <li>one final file with no partner at all, or an envelope that does not parse or does not match
 *       its message: moved to {@code corrupt/} with a WARN, never deleted.
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
      // The envelope was renamed to .del and that rename was synced: the entry is gone.
      deleteIfPresent(message);
      deleteIfPresent(found.get(Kind.REMOVING));
      deleteTemps(found);
      finishedRemovals++;
      log.info("spool finished interrupted removal queueId={}", id);
      return;
    }
    if (message != null && envelope != null) {
      deleteTemps(found);
      SpoolEntry entry;
      try {
        entry = codec.read(Files.readAllBytes(envelope));
      } catch (IOException ex) {
        moveToCorrupt(id, "envelope unreadable: " + ex.getMessage(), message, envelope);
        return;
      }
      long size = Files.size(message);
      if (!entry.id().equals(id)) {
        moveToCorrupt(id, "envelope names another id " + entry.id(), message, envelope);
      } else if (entry.size() != size) {
        moveToCorrupt(
            id, "message is " + size + " bytes, envelope says " + entry.size(), message, envelope);
      } else {
        into.accept(entry);
        recovered++;
      }
      return;
    }
    Path only = message != null ? message : envelope;
    Kind partnerTemp = message != null ? Kind.ENVELOPE_TEMP : Kind.MESSAGE_TEMP;
    if (only != null && found.containsKey(partnerTemp)) {
      // Both renames of a store precede its directory sync, and 250 follows that sync: this
      // store was never acknowledged.
      log.info("spool deletes interrupted store queueId={} file={}", id, only);
      Files.delete(only);
      deleteTemps(found);
      return;
    }
    if (only != null) {
      deleteTemps(found);
      moveToCorrupt(
          id, message != null ? "message without envelope" : "envelope without message", only);
      return;
    }
    deleteTemps(found);
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
      Path target = SpoolFiles.moveAside(p, files.corruptDir());
      log.warn(
          "spool moved corrupt file queueId={} file={} to={} reason=\"{}\"", id, p, target, why);
    }
    corrupt++;
  }
}
