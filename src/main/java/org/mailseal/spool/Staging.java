// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.Predicate;
import org.mailseal.spool.SpoolFiles.Kind;

/**
 * Steps 1 and 2 of a store, on the caller's thread: draw a free id, stream the message into {@code
 * <id>.eml.tmp}, write {@code <id>.env.tmp}, sync both. Nothing is visible as an entry until the
 * committer renames them.
 */
final class Staging {
  private static final int BUFFER = 64 * 1024;

  private final SpoolFiles files;
  private final EnvelopeCodec codec;
  private final SpoolOptions options;
  private final Predicate<QueueId> taken;

  /**
   * @param taken whether an id is already a committed entry
   */
  Staging(SpoolFiles files, EnvelopeCodec codec, SpoolOptions options, Predicate<QueueId> taken) {
    this.files = files;
    this.codec = codec;
    this.options = options;
    this.taken = taken;
  }

  /**
   * Writes and syncs both temp files of a new entry accepted at {@code now}; on failure deletes
   * what was written.
   */
  SpoolEntry stage(EnvelopeDraft draft, MessageWriter writer, Instant now) throws SpoolException {
    QueueId id;
    FileChannel ch;
    while (true) {
      id = QueueId.next(now, options.random());
      if (taken.test(id)) {
        continue;
      }
      try {
        // CREATE_NEW: two stores in flight can never draw the same id.
        ch =
            FileChannel.open(
                files.path(id, Kind.MESSAGE_TEMP),
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        break;
      } catch (FileAlreadyExistsException drawnTwice) {
        // draw again
      } catch (IOException e) {
        throw Spool.storage(id, files.path(id, Kind.MESSAGE_TEMP), "cannot create message", e);
      }
    }
    Path messageTemp = files.path(id, Kind.MESSAGE_TEMP);
    Path envelopeTemp = files.path(id, Kind.ENVELOPE_TEMP);
    boolean staged = false;
    try {
      long size = writeMessage(ch, writer);
      SpoolEntry entry = SpoolEntry.accepted(id, draft, now, size);
      SpoolFiles.writeSynced(envelopeTemp, codec.write(entry), options.syncer());
      staged = true;
      return entry;
    } catch (IOException e) {
      throw Spool.storage(id, messageTemp, "cannot write message", e);
    } finally {
      if (!staged) {
        Spool.deleteQuietly(messageTemp);
        Spool.deleteQuietly(envelopeTemp);
      }
    }
  }

  private long writeMessage(FileChannel channel, MessageWriter writer) throws IOException {
    try (FileChannel ch = channel) {
      CountingStream counting =
          new CountingStream(new BufferedOutputStream(Channels.newOutputStream(ch), BUFFER));
      writer.writeTo(counting);
      counting.flush();
      options.syncer().syncFile(ch);
      return counting.count();
    }
  }
}
