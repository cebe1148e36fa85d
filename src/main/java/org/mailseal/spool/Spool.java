// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.mailseal.spool.SpoolFiles.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable queue of accepted messages, in one directory owned by one server process.
 *
 * <p>{@link #store} returns only once the message and its envelope are on disk and synced, so the
 * caller may answer {@code 250} with the id. Concurrent stores share directory syncs (group
 * commit). The in-memory index holds one {@link SpoolEntry} per message, never message bytes; those
 * stream from disk through {@link #open(QueueId)}.
 *
 * <p>Thread-safe. Changes to one entry ({@link #recordAttempt}, {@link #reschedule}, {@link
 * #remove}) are serialized per entry. Close the spool to release its lock.
 */
public final class Spool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Spool.class);
  private static final int STRIPES = 64;

  /**
   * Emptied message files kept for reuse: more than the backlog a burst builds at full speed (a few
   * thousand messages in ten seconds), so that the burst after it creates no files. Each costs an
   * inode and nothing else.
   */
  static final int FREE_FILES = 8192;

  private final SpoolFiles files;
  private final Clock clock;
  private final SpoolOptions options;
  private final EnvelopeCodec codec = new EnvelopeCodec();
  private final ConcurrentSkipListMap<QueueId, SpoolEntry> index = new ConcurrentSkipListMap<>();

  /**
   * How many streams from {@link #open(QueueId)} are open per entry: their files are not reused.
   */
  private final Map<QueueId, Integer> readers = new ConcurrentHashMap<>();

  private final Object[] stripes = new Object[STRIPES];
  private final SpoolLock lock;
  private final Staging staging;
  private volatile Runnable storeListener = () -> {};
  private final FreeFiles freeFiles;
  private final Committer committer;
  private final Recovery.Report recovery;

  private Spool(SpoolFiles files, Clock clock, SpoolOptions options, SpoolLock lock)
      throws IOException {
    this.files = files;
    this.clock = clock;
    this.options = options;
    this.lock = lock;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    this.recovery = new Recovery(files, codec, options.syncer()).run(e -> index.put(e.id(), e));
    this.freeFiles = new FreeFiles(files.freeDir(), FREE_FILES);
    freeFiles.clear();
    this.staging = new Staging(files, codec, options, index::containsKey, freeFiles);
    this.committer = new Committer(files.dir(), options.syncer(), options.maxBatch());
  }

  /**
   * Opens (creating if needed) the spool in {@code dir}: takes the exclusive lock on {@code .lock},
   * recovers what a crash left (see {@code package-info.java}) and queues every complete entry
   * again.
   *
   * @throws SpoolException.Locked when another process holds the spool
   * @throws SpoolException.Storage when the directory cannot be read or written
   */
  public static Spool open(Path dir, Clock clock, SpoolOptions options) throws SpoolException {
    SpoolFiles files = new SpoolFiles(dir);
    SpoolLock lock = null;
    try {
      Files.createDirectories(files.corruptDir());
      Files.createDirectories(files.controlDir());
      lock = SpoolLock.acquire(files.lockFile());
      Spool spool = new Spool(files, clock, options, lock);
      Recovery.Report r = spool.recovery;
      log.info(
          "spool opened dir={} recovered={} corrupt={} deletedTemps={} finishedRemovals={}",
          dir,
          r.recovered(),
          r.corrupt(),
          r.deletedTemps(),
          r.finishedRemovals());
      return spool;
    } catch (IOException e) {
      closeQuietly(lock);
      throw new SpoolException.Storage(null, dir, "cannot open spool " + dir, e);
    }
  }

  /**
   * The committed entries of the spool at {@code dir}, read without the lock and without changing
   * anything: for {@code queue list} while the server runs. Entries that vanish or do not parse
   * while being read are left out.
   */
  public static List<SpoolEntry> scan(Path dir) throws SpoolException {
    try {
      return SpoolFiles.readEnvelopes(dir, new EnvelopeCodec());
    } catch (IOException e) {
      throw new SpoolException.Storage(null, dir, "cannot read spool " + dir, e);
    }
  }

  /**
   * Stores one message and returns its id once message and envelope are durable.
   *
   * <p>The bytes and, after them, the envelope go to a file in {@code free/}, synced by this
   * thread, which then renames it to {@code <id>.eml} and waits for the committer's next directory
   * sync, shared by every store of its batch.
   *
   * @param writer writes the message bytes; called once, on this thread
   * @throws SpoolException.Storage when anything failed; nothing is then acknowledged, and what was
   *     written is deleted
   */
  public QueueId store(EnvelopeDraft draft, MessageWriter writer) throws SpoolException {
    Staging.Staged staged = staging.stage(draft, writer, clock.instant());
    try {
      commitStaged(staged);
    } finally {
      staging.release(staged.entry().id());
    }
    return staged.entry().id();
  }

  private void commitStaged(Staging.Staged staged) throws SpoolException {
    SpoolEntry entry = staged.entry();
    QueueId id = entry.id();
    Path message = files.path(id, Kind.MESSAGE);
    try {
      SpoolFiles.rename(staged.file(), message);
    } catch (IOException e) {
      deleteQuietly(staged.file());
      throw storage(id, message, "cannot commit message", e);
    }
    try {
      committer.commit(Committer.SYNC_ONLY);
    } catch (IOException e) {
      // Not acknowledged, so not kept: the client sends it again.
      deleteQuietly(message);
      throw storage(id, message, "cannot commit message", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw storage(id, message, "interrupted before commit; the message may still be kept", e);
    }
    index.put(id, entry);
    storeListener.run();
  }

  /**
   * Runs {@code listener} after every store, on the storing thread, once the entry is in the index:
   * so that delivery starts at once instead of at its next poll. It must be quick and not throw.
   */
  public void whenStored(Runnable listener) {
    this.storeListener = listener;
  }

  /** {@link #store(EnvelopeDraft, MessageWriter)} with the bytes of {@code message}. */
  public QueueId store(EnvelopeDraft draft, InputStream message) throws SpoolException {
    return store(draft, message::transferTo);
  }

  /** The entry with this id, if it is in the spool. */
  public Optional<SpoolEntry> entry(QueueId id) {
    return Optional.ofNullable(index.get(id));
  }

  /**
   * The message bytes of an entry, streamed from disk: exactly {@link SpoolEntry#size} bytes, never
   * the envelope stored after them. The stream stays readable if the entry is removed meanwhile.
   * Close it: until then a removal of the entry deletes its file instead of keeping it for reuse.
   */
  public InputStream open(QueueId id) throws SpoolException {
    SpoolEntry entry;
    synchronized (stripe(id)) {
      entry = current(id);
      // Counted before the file is opened and under the lock remove() takes: a file being read is
      // never emptied for reuse under its reader.
      readers.merge(id, 1, Integer::sum);
    }
    Path message = files.path(id, Kind.MESSAGE);
    try {
      return new SizedStream(Files.newInputStream(message), entry.size(), () -> unread(id));
    } catch (NoSuchFileException e) {
      unread(id);
      if (index.containsKey(id)) {
        throw new SpoolException.Corrupt(id, message, "message file missing " + message, e);
      }
      throw new SpoolException.NoSuchEntry(id);
    } catch (IOException e) {
      unread(id);
      throw storage(id, message, "cannot read message", e);
    }
  }

  private void unread(QueueId id) {
    readers.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
  }

  /**
   * Up to {@code max} entries due at {@code now} (next attempt not after it), oldest first (by id,
   * that is by acceptance). Entries with no pending recipient left are included so that the caller
   * removes them.
   */
  public List<QueueId> due(Instant now, int max) {
    return due(index.values(), now, max);
  }

  /**
   * Like {@link #due(Instant, int)}, but only entries whose id sorts after {@code after}: pages
   * through a large backlog, or skips entries the caller is already working on.
   */
  public List<QueueId> due(Instant now, QueueId after, int max) {
    return due(index.tailMap(after, false).values(), now, max);
  }

  private static List<QueueId> due(Iterable<SpoolEntry> entries, Instant now, int max) {
    List<QueueId> out = new ArrayList<>();
    for (SpoolEntry e : entries) {
      if (out.size() >= max) {
        break;
      }
      if (!e.nextAttempt().isAfter(now)) {
        out.add(e.id());
      }
    }
    return out;
  }

  /**
   * Records one delivery attempt: each outcome replaces the recipient with its address, the attempt
   * count grows by one and the entry is next due at {@code nextAttempt}. The envelope is rewritten
   * atomically and synced before this returns.
   *
   * @param outcomes new states for some recipients; recipients not named keep theirs
   * @throws IllegalArgumentException when an outcome names no recipient of the entry, or would
   *     change a recipient already DELIVERED or FAILED
   */
  public SpoolEntry recordAttempt(QueueId id, List<Recipient> outcomes, Instant nextAttempt)
      throws SpoolException {
    synchronized (stripe(id)) {
      SpoolEntry updated = current(id).afterAttempt(outcomes, nextAttempt);
      rewriteEnvelope(updated);
      return updated;
    }
  }

  /** Makes an entry next due at {@code next}, without counting an attempt. */
  public SpoolEntry reschedule(QueueId id, Instant next) throws SpoolException {
    synchronized (stripe(id)) {
      SpoolEntry updated = current(id).rescheduled(next);
      rewriteEnvelope(updated);
      return updated;
    }
  }

  /**
   * Records that the entry's sender was sent its delay warning (never twice, even after a restart).
   */
  public SpoolEntry markDelayWarned(QueueId id) throws SpoolException {
    synchronized (stripe(id)) {
      SpoolEntry updated = current(id).withDelayWarned();
      rewriteEnvelope(updated);
      return updated;
    }
  }

  /**
   * Marks an entry for an operator's bounce and makes it due now: the delivery worker then fails
   * every pending recipient and sends the sender the DSN instead of trying again. Idempotent.
   */
  public SpoolEntry requestBounce(QueueId id) throws SpoolException {
    synchronized (stripe(id)) {
      SpoolEntry updated = current(id).withBounceRequested(clock.instant());
      rewriteEnvelope(updated);
      return updated;
    }
  }

  /**
   * Removes an entry and its message for good (delivered, bounced or deleted by the operator):
   * moves {@code <id>.eml} to {@code free/} and empties it for reuse (deletes it when the pool is
   * full or a reader still has it open), then deletes the {@code <id>.env} of a rewritten envelope
   * if there is one, and returns after the next directory sync. Deleting the message first is what
   * makes this safe: a crash in between leaves an envelope without its message, which recovery
   * knows as a removal to finish, never an older envelope beside the message.
   */
  public void remove(QueueId id) throws SpoolException {
    Path message = files.path(id, Kind.MESSAGE);
    synchronized (stripe(id)) {
      current(id);
      Path envelope = files.path(id, Kind.ENVELOPE);
      try {
        if (readers.containsKey(id) || !freeFiles.give(message)) {
          Files.deleteIfExists(message);
        }
        Files.deleteIfExists(envelope);
      } catch (IOException e) {
        throw storage(id, message, "cannot remove entry", e);
      }
      // Out of the index only now that no file of the entry is left: until then its id stays taken
      // and a new message cannot draw it.
      index.remove(id);
    }
    // Outside the lock: the entry is gone already, this only waits until that is durable.
    try {
      committer.commit(Committer.SYNC_ONLY);
    } catch (IOException e) {
      throw storage(id, message, "cannot sync removal of entry", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw storage(id, message, "interrupted while removing entry", e);
    }
  }

  /** Every entry, oldest first: for {@code queue list}. */
  public List<SpoolEntry> list() {
    return List.copyOf(index.values());
  }

  /** How many entries the spool holds. */
  public int depth() {
    return index.size();
  }

  /** How long ago the oldest entry was accepted, or empty when the spool is empty. */
  public Optional<Duration> oldestAge() {
    Map.Entry<QueueId, SpoolEntry> first = index.firstEntry();
    if (first == null) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(first.getValue().accepted(), clock.instant()));
  }

  /** The current time of this spool's clock. */
  public Instant now() {
    return clock.instant();
  }

  /** The directory of this spool. */
  public Path directory() {
    return files.dir();
  }

  /**
   * Applies every request waiting in {@code control/} (see {@link SpoolControl}), writing each
   * one's reply; a request that cannot be read is answered with an error. The server calls this
   * periodically.
   *
   * @return how many requests were handled
   */
  public int applyControlRequests() throws SpoolException {
    return new ControlFiles(files.controlDir()).apply(this);
  }

  @Override
  public void close() {
    committer.close();
    try {
      lock.close();
    } catch (IOException e) {
      log.warn("spool lock release failed file={}", files.lockFile(), e);
    }
  }

  /** What recovery did at open (for tests). */
  Recovery.Report recoveryReport() {
    return recovery;
  }

  /** How many stores, updates or removals wait for a group commit or are in one (for tests). */
  int pendingCommits() {
    return committer.queued();
  }

  private SpoolEntry current(QueueId id) throws SpoolException {
    SpoolEntry e = index.get(id);
    if (e == null) {
      throw new SpoolException.NoSuchEntry(id);
    }
    return e;
  }

  private void rewriteEnvelope(SpoolEntry updated) throws SpoolException {
    QueueId id = updated.id();
    Path temp = files.path(id, Kind.ENVELOPE_TEMP);
    Path envelope = files.path(id, Kind.ENVELOPE);
    try {
      SpoolFiles.writeSynced(temp, codec.write(updated), options.syncer());
      committer.commit(() -> SpoolFiles.rename(temp, envelope));
    } catch (IOException e) {
      deleteQuietly(temp);
      throw storage(id, envelope, "cannot rewrite envelope", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw storage(id, envelope, "interrupted while rewriting envelope", e);
    }
    index.put(id, updated);
  }

  private Object stripe(QueueId id) {
    return stripes[Math.floorMod(id.hashCode(), STRIPES)];
  }

  static SpoolException.Storage storage(QueueId id, Path file, String what, Exception cause) {
    return new SpoolException.Storage(id, file, what + " " + id + ": " + file, cause);
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("spool cannot delete file={}", p, e);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.debug("spool close failed", e);
    }
  }
}
