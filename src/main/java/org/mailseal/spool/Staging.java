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
import org.mailseal.spool.SpoolFiles.Kind;

/**
 * Step 1 of a store, on the caller's thread: draw a free id, stream the message into {@code
 * <id>.eml.tmp} (a recycled file from {@link FreeFiles} when there is one), append its envelope as
 * an {@link EnvelopeTrailer}, sync the file. Nothing is visible as an entry until {@link
 * Spool#store} renames it.
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

  /**
   * Writes and syncs the temp file of a new entry accepted at {@code now}; on failure deletes what
   * was written.
   */
  SpoolEntry stage(EnvelopeDraft draft, MessageWriter writer, Instant now) throws SpoolException {
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
    FileChannel ch;
    try {
      ch = openTemp(id);
    } catch (IOException e) {
      staging.remove(id);
      throw Spool.storage(id, files.path(id, Kind.MESSAGE_TEMP), "cannot create message", e);
    }
    Path messageTemp = files.path(id, Kind.MESSAGE_TEMP);
    boolean staged = false;
    try {
      SpoolEntry entry = write(ch, id, draft, now, writer);
      staged = true;
      return entry;
    } catch (IOException e) {
      throw Spool.storage(id, messageTemp, "cannot write message", e);
    } finally {
      if (!staged) {
        Spool.deleteQuietly(messageTemp);
        staging.remove(id);
      }
    }
  }

  /** Frees the id of a staged message once it is an entry of the index, or was given up. */
  void release(QueueId id) {
    staging.remove(id);
  }

  /**
   * Opens {@code <id>.eml.tmp} for writing: an emptied file from {@code free/} renamed to it when
   * there is one, else a new file. The id is reserved in {@link #staging}, so no other store uses
   * the name meanwhile, and it is not an entry; a left-over temp of a crashed store was deleted by
   * recovery.
   */
  private FileChannel openTemp(QueueId id) throws IOException {
    Path temp = files.path(id, Kind.MESSAGE_TEMP);
    for (Path free = freeFiles.take(); free != null; free = freeFiles.take()) {
      try {
        SpoolFiles.rename(free, temp);
        return FileChannel.open(
            temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      } catch (IOException e) {
        // Gone or unusable: try the next one, and in the end a new file.
        Spool.deleteQuietly(free);
        Spool.deleteQuietly(temp);
      }
    }
    return FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
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
