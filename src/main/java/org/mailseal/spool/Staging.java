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
 * Step 1 of a store, on the caller's thread: draw a free id, stream the message into {@code
 * <id>.eml.tmp}, append its envelope as an {@link EnvelopeTrailer}, sync the file. Nothing is
 * visible as an entry until {@link Spool#store} renames it.
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
   * Writes and syncs the temp file of a new entry accepted at {@code now}; on failure deletes what
   * was written.
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
      }
    }
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
