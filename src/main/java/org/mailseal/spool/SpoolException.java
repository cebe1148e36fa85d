// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The spool could not do what was asked. Subclasses name the case and carry the queue id and the
 * file concerned where there is one. The message names the id and the file, never message content.
 */
public abstract sealed class SpoolException extends Exception
    permits SpoolException.Storage,
        SpoolException.NoSuchEntry,
        SpoolException.Corrupt,
        SpoolException.Locked {
  private static final long serialVersionUID = 1L;

  private final transient QueueId id;
  private final transient Path file;

  SpoolException(QueueId id, Path file, String message, Throwable cause) {
    super(message, cause);
    this.id = id;
    this.file = file;
  }

  /** The queue id concerned, if the failure is about one message. */
  public Optional<QueueId> id() {
    return Optional.ofNullable(id);
  }

  /** The file concerned, if the failure is about one file. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /**
   * Reading, writing, syncing or renaming failed (disk full, I/O error, permissions), or the spool
   * was closed. For {@link Spool#store} the message is not accepted: answer 451 and let the client
   * retry.
   */
  public static final class Storage extends SpoolException {
    private static final long serialVersionUID = 1L;

    public Storage(QueueId id, Path file, String message, Throwable cause) {
      super(id, file, message, cause);
    }
  }

  /** No entry has this id (never stored, or already removed). */
  public static final class NoSuchEntry extends SpoolException {
    private static final long serialVersionUID = 1L;

    public NoSuchEntry(QueueId id) {
      super(id, null, "no such queue entry " + id, null);
    }
  }

  /** An entry's files are missing or cannot be read as an entry. */
  public static final class Corrupt extends SpoolException {
    private static final long serialVersionUID = 1L;

    public Corrupt(QueueId id, Path file, String message, Throwable cause) {
      super(id, file, message, cause);
    }
  }

  /** Another process (or another open spool in this one) holds the spool's lock file. */
  public static final class Locked extends SpoolException {
    private static final long serialVersionUID = 1L;

    public Locked(Path file, Throwable cause) {
      super(null, file, "spool is locked by another process: " + file, cause);
    }
  }
}
