// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Emptied message files kept in {@code free/} for the next stores, so that under steady load the
 * spool neither allocates nor frees an inode per message: a removal renames the message file here
 * and truncates it to nothing, a store writes the next message into one and renames it to {@code
 * <id>.eml}. New files are made here too, so a file outside {@code free/} is always whole.
 *
 * <p>Creating a file is the single most expensive step of a store on a busy spool: the file system
 * looks for a free inode, and ext4 without a journal skips every inode freed in the last minute,
 * reading its inode table block to learn so; at hundreds of messages per second that scan, and the
 * lock it holds, took 40 % of the server's CPU (async-profiler, {@code find_inode_bit}, {@code
 * recently_deleted}). A rename touches only directory entries.
 *
 * <p>Files here hold no message data (they are truncated right after the rename) and no meaning:
 * {@link Spool#open} deletes whatever a crash left here before anything else. At most {@code max}
 * files are kept; beyond that, removal deletes.
 */
final class FreeFiles {
  private final Path dir;
  private final int max;
  private final ConcurrentLinkedQueue<Path> files = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicLong names = new AtomicLong();

  FreeFiles(Path dir, int max) {
    this.dir = dir;
    this.max = max;
  }

  /** Creates {@code free/} if needed and deletes what is in it. */
  void clear() throws IOException {
    Files.createDirectories(dir);
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** An empty file to write a new message into, or null when none is left. */
  Path take() {
    Path p = files.poll();
    if (p != null) {
      count.decrementAndGet();
    }
    return p;
  }

  /** A name in {@code free/} that no file has, for a new file a store writes into. */
  Path newName() {
    return dir.resolve(Long.toString(names.incrementAndGet()));
  }

  /**
   * Takes the file of a removed message: renames it here and empties it. Returns false, having done
   * nothing, when the pool is full; the caller then deletes the file. Returns true once the file
   * has left the spool directory: kept empty here, deleted if it could not be emptied, or missing
   * in the first place.
   *
   * @throws IOException when the rename failed (the file is still where it was)
   */
  boolean give(Path message) throws IOException {
    if (count.incrementAndGet() > max) {
      count.decrementAndGet();
      return false;
    }
    Path target = newName();
    try {
      SpoolFiles.rename(message, target);
    } catch (NoSuchFileException gone) {
      count.decrementAndGet();
      return true; // not there: nothing left to take
    } catch (IOException e) {
      count.decrementAndGet();
      throw e;
    }
    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    } catch (IOException e) {
      count.decrementAndGet();
      Files.deleteIfExists(target);
      return true;
    }
    files.add(target);
    return true;
  }

  /** How many files wait here (for tests). */
  int size() {
    return count.get();
  }
}
