// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How the spool makes writes durable: every fsync it does goes through one of these two methods.
 * {@link #real()} is the only one production uses; {@link #none()} is for benchmarks; tests wrap
 * {@link #real()} to count calls.
 */
public interface Syncer {
  /** Forces the content and metadata of an open file to the device ({@code fsync(2)}). */
  void syncFile(FileChannel channel) throws IOException;

  /**
   * Forces a directory's entries to the device, so that files created, renamed or deleted in it
   * survive a crash. A rename is durable only after this.
   */
  void syncDirectory(Path dir) throws IOException;

  /** The real thing: {@code FileChannel.force(true)} on the file, and on the directory. */
  static Syncer real() {
    return Fsync.INSTANCE;
  }

  /** No syncing at all: a crash may lose messages that were acknowledged. For benchmarks only. */
  static Syncer none() {
    return NoSync.INSTANCE;
  }

  /** The real fsync. */
  enum Fsync implements Syncer {
    INSTANCE;

    @Override
    public void syncFile(FileChannel channel) throws IOException {
      channel.force(true);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
      // On Linux and the BSDs a directory opened read-only can be fsynced; this is how its
      // entries (our renames) are made durable.
      try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
        ch.force(true);
      }
    }
  }

  /** No fsync. */
  enum NoSync implements Syncer {
    INSTANCE;

    @Override
    public void syncFile(FileChannel channel) {}

    @Override
    public void syncDirectory(Path dir) {}
  }
}
