// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock on {@code spool/.lock} that makes one process the owner of a spool. The OS
 * drops it when the process dies, however it dies, so a SIGKILLed server never leaves a stale lock
 * behind.
 */
final class SpoolLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private SpoolLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, without waiting, and writes this process's pid into the file for operators.
   *
   * @throws SpoolException.Locked when another process (or another open spool here) holds it
   */
  static SpoolLock acquire(Path file) throws IOException, SpoolException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        throw new SpoolException.Locked(file, e);
      }
      if (lock == null) {
        throw new SpoolException.Locked(file, null);
      }
      ch.truncate(0);
      ch.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
      return new SpoolLock(ch, lock);
    } catch (IOException | SpoolException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Releases the lock (closing the channel releases it too). */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
