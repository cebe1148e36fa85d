// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Step 1 of a store, on the caller's thread: draw a free id, stream the message into a file of
 * {@code free/} (an emptied one from {@link FreeFiles} when there is one, else a new one), append
 * its envelope as an {@link EnvelopeTrailer}, sync the file. Nothing is visible as an entry until
 * {@link Spool#store} renames it to {@code <id>.eml}; whatever a crash leaves in {@code free/} is
 * deleted at the next open.
 */
final class Staging {
  private static final int BUFFER = 64 * 1024;

  private final SpoolFiles files;
  private final EnvelopeCodec codec;
  private final SpoolOptions options;
  private final Predicate<QueueId> taken;
  private final FreeFiles freeFiles;

  /** Ids of stores between {@link #stage} and {@link #release}. */
  private final Set<QueueId> staging = ConcurrentHashMap.newKeySet();

  /**
   * @param taken whether an id is already a committed entry
   * @param freeFiles emptied files to reuse before creating new ones
   */
  Staging(
      SpoolFiles files,
      EnvelopeCodec codec,
      SpoolOptions options,
      Predicate<QueueId> taken,
      FreeFiles freeFiles) {
    this.files = files;
    this.freeFiles = freeFiles;
    this.codec = codec;
    this.options = options;
    this.taken = taken;
  }

  /** A message written and synced, not yet an entry: {@code file} is still in {@code free/}. */
  record Staged(SpoolEntry entry, Path file) {}

  /**
   * Writes and syncs the file of a new entry accepted at {@code now}; on failure deletes what was
   * written. The caller renames the file to {@code <id>.eml} and then calls {@link #release}.
   */
  Staged stage(EnvelopeDraft draft, MessageWriter writer, Instant now) throws SpoolException {
    QueueId id;
    while (true) {
      id = QueueId.next(now, options.random());
      // Reserve first, then check: a store of the same id that committed meanwhile is in the index
      // before it gives its reservation up.
      if (!staging.add(id)) {
        continue;
      }
      if (!taken.test(id)) {
        break;
      }
      staging.remove(id);
    }
    Path file;
    FileChannel ch;
    try {
      file = freeFiles.take();
      ch = null;
      while (file != null && ch == null) {
        try {
          // Empty: removal truncated it, and a store whose write failed deleted it.
          ch = FileChannel.open(file, StandardOpenOption.WRITE);
        } catch (IOException gone) {
          Spool.deleteQuietly(file);
          file = freeFiles.take();
        }
      }
      if (ch == null) {
        file = freeFiles.newName();
        ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      }
    } catch (IOException e) {
      staging.remove(id);
      throw Spool.storage(id, files.freeDir(), "cannot create message", e);
    }
    boolean staged = false;
    try {
      SpoolEntry entry = write(ch, id, draft, now, writer);
      staged = true;
      return new Staged(entry, file);
    } catch (IOException e) {
      throw Spool.storage(id, file, "cannot write message", e);
    } finally {
      if (!staged) {
        Spool.deleteQuietly(file);
        staging.remove(id);
      }
    }
  }

  /** Frees the id of a staged message once it is an entry of the index, or was given up. */
  void release(QueueId id) {
    staging.remove(id);
  }

  private SpoolEntry write(
      FileChannel channel, QueueId id, EnvelopeDraft draft, Instant now, MessageWriter writer)
      throws IOException {
    try (FileChannel ch = channel) {
      BufferedOutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), BUFFER);
      CountingStream counting = new CountingStream(out);
      writer.writeTo(counting);
      SpoolEntry entry = SpoolEntry.accepted(id, draft, now, counting.count());
      byte[] json = codec.write(entry);
      out.write(json);
      out.write(EnvelopeTrailer.footer(json.length));
      out.flush();
      options.syncer().syncFile(ch);
      return entry;
    }
  }
}
