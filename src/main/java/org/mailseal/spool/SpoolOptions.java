// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.security.SecureRandom;

/**
 * How a {@link Spool} is run.
 *
 * @param syncer how writes are made durable; {@link Syncer#real()} unless benchmarking
 * @param random the source of the random half of every {@link QueueId}
 * @param maxBatch the most stores (or updates) one group commit covers with its single directory
 *     sync; a bound keeps the wait of the first caller in a burst short
 */
public record SpoolOptions(Syncer syncer, SecureRandom random, int maxBatch) {
  /** The default {@link #maxBatch}. */
  public static final int DEFAULT_MAX_BATCH = 256;

  public SpoolOptions {
    if (syncer == null) {
      throw new IllegalArgumentException("SpoolOptions: syncer must not be null");
    }
    if (random == null) {
      throw new IllegalArgumentException("SpoolOptions: random must not be null");
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("SpoolOptions: maxBatch must be >= 1");
    }
  }

  /** Real fsync, the default batch size. */
  public static SpoolOptions defaults(SecureRandom random) {
    return new SpoolOptions(Syncer.real(), random, DEFAULT_MAX_BATCH);
  }

  /** These options with another syncer. */
  public SpoolOptions withSyncer(Syncer other) {
    return new SpoolOptions(other, random, maxBatch);
  }

  /**
   * These options without any fsync: a crash may lose acknowledged messages. For benchmarks only.
   */
  public SpoolOptions withoutFsync() {
    return withSyncer(Syncer.none());
  }
}
