// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.mailseal.testing.Waits;

/**
 * Wraps a syncer and counts its calls. The first directory sync may be held back until a condition
 * holds, so a test can make sure that a burst of stores queues up behind it.
 */
final class CountingSyncer implements Syncer {
  final AtomicInteger fileSyncs = new AtomicInteger();
  final AtomicInteger directorySyncs = new AtomicInteger();
  private final Syncer delegate;
  private volatile BooleanSupplier holdFirstDirectorySyncUntil = () -> true;

  CountingSyncer(Syncer delegate) {
    this.delegate = delegate;
  }

  void holdFirstDirectorySyncUntil(BooleanSupplier condition) {
    this.holdFirstDirectorySyncUntil = condition;
  }

  @Override
  public void syncFile(FileChannel channel) throws IOException {
    fileSyncs.incrementAndGet();
    delegate.syncFile(channel);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (directorySyncs.incrementAndGet() == 1) {
      Waits.await("first directory sync released").until(holdFirstDirectorySyncUntil::getAsBoolean);
    }
    delegate.syncDirectory(dir);
  }
}
