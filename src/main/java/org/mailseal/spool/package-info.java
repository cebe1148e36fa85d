// SPDX-License-Identifier: Apache-2.0
/**
 * The spool: the durable queue between acceptance and delivery. Owns the spool directory (by
 * default {@code var/spool/}), the on-disk format of queued messages, recovery after a crash, the
 * retry schedule, and the primitives another process uses to act on a running server's spool. It
 * knows nothing of SMTP, DKIM or transports: the session hands it signed bytes through {@link
 * org.mailseal.spool.Spool#store}, delivery reads them back and records outcomes.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * spool/
 *   .lock                 exclusive lock of the server process (holds its pid, for operators)
 *   &lt;id&gt;.eml              the message bytes as they will be sent (DKIM-Signature fields first),
 *                         then the envelope as accepted (an EnvelopeTrailer)
 *   &lt;id&gt;.env              the envelope and delivery state once delivery has rewritten it, JSON
 *   &lt;id&gt;.env.tmp          an envelope being rewritten; never valid on its own
 *   &lt;id&gt;.eml.tmp          left by the earlier format: a message being written
 *   free/                 emptied message files for reuse, and new messages being written
 *   &lt;id&gt;.del              left by the earlier two-file format: an entry being removed
 *   corrupt/              files recovery could not make sense of, kept for an operator
 *   control/              requests from other processes: &lt;name&gt;.req in, &lt;name&gt;.reply out
 * </pre>
 *
 * <p>One file per accepted message: the {@code 250} path writes, syncs and renames a single file,
 * which halves what it costs the file system (fsync, rename) against a message file and an envelope
 * file. And no file is created or deleted per message under steady load: a removed message's file
 * is emptied into {@code free/} and the next store writes into it, because creating files at this
 * rate was the largest cost of the whole relay (see {@code FreeFiles}). The envelope goes after the
 * message because its size is known only at the end; a reader of the message stops at {@link
 * org.mailseal.spool.SpoolEntry#size}. Delivery rewrites the envelope after an attempt that leaves
 * recipients pending (per-recipient states, attempts, next time) into its own {@code <id>.env}, an
 * atomic replace of a few hundred bytes, never a copy of a message that may be 50 MB; a message
 * delivered at its first attempt never gets one.
 *
 * <p>Spools of the earlier format (bare message in {@code .eml}, envelope in {@code .env}, {@code
 * .del} during removal) are read and recovered as they are; new entries use the one-file format.
 *
 * <h2>Durability protocol</h2>
 *
 * Store (the {@code 250} path):
 *
 * <ol>
 *   <li>reserve an id no entry and no other store has (in memory: the spool is one process's); take
 *       an emptied file from {@code free/}, or create one there; stream the message into it, append
 *       the envelope and its footer, fsync it;
 *   <li>rename it to {@code <id>.eml} (steps 1 and 2 run on the caller's thread, so sessions write
 *       and sync their own files in parallel);
 *   <li>hand over to the committer thread, which fsyncs the spool directory once for every store
 *       (and update, and removal) queued meanwhile (group commit);
 *   <li>release every caller of the batch: only now does {@code store} return the id, and only then
 *       may the session answer {@code 250}.
 * </ol>
 *
 * Envelope rewrite (after a delivery attempt): write and fsync {@code <id>.env.tmp}, rename it over
 * {@code <id>.env}, fsync the directory (batched with other changes). The old or the new envelope
 * is always there whole, and an {@code .env} is always newer than the envelope in the message file.
 *
 * <p>Removal: rename {@code <id>.eml} into {@code free/} and empty it (or delete it, when the pool
 * is full or a reader has it open), then delete {@code <id>.env} if there is one, fsync the
 * directory (batched). The message goes first, so a crash in between leaves an envelope without a
 * message, which recovery finishes as a removal; it can never leave a message beside an envelope
 * older than the one delivery last wrote.
 *
 * <h2>Recovery</h2>
 *
 * At {@link org.mailseal.spool.Spool#open} each id is judged by the files it has:
 *
 * <ul>
 *   <li>{@code .eml} whose trailer parses, names this id and whose size matches the file: queued
 *       again, with the states of its {@code .env} if it has one, so recipients already DELIVERED
 *       are not sent to again; a stray {@code .tmp} (interrupted rewrite) is deleted.
 *   <li>{@code .env} without {@code .eml}: the removal is finished.
 *   <li>only {@code .tmp} files: an interrupted envelope rewrite of a removed entry, or a store of
 *       the earlier format that never reached its rename: deleted.
 *   <li>anything in {@code free/}: a store that never reached its rename, so never acknowledged
 *       (the client retries), or an emptied file: deleted.
 *   <li>an {@code .eml} of the two-file format: kept with its {@code .env} when sizes agree;
 *       deleted when its partner is only a {@code .tmp} (a store that crashed between its two
 *       renames); with a {@code .del}, the removal is finished.
 *   <li>a message file whose trailer, size or {@code .env} is wrong, or an old-format message with
 *       no envelope at all: its files are moved to {@code corrupt/} (never overwriting) with a
 *       WARN. Nothing there is deleted automatically.
 * </ul>
 *
 * <h2>Other processes</h2>
 *
 * The server holds an exclusive {@link java.nio.channels.FileLock} on {@code .lock} for as long as
 * the spool is open; a second {@code open} fails with {@link
 * org.mailseal.spool.SpoolException.Locked}. The {@code queue} CLI therefore: tries {@code open};
 * if that succeeds no server runs and it may act directly; if it fails with {@code Locked} it reads
 * with {@link org.mailseal.spool.Spool#scan} (read-only, lock-free: every file it reads was renamed
 * into place whole) and changes things only through {@link org.mailseal.spool.SpoolControl#submit},
 * which drops a request into {@code control/}; the server applies requests on its own thread with
 * {@link org.mailseal.spool.Spool#applyControlRequests} (call it periodically), so every change to
 * an entry goes through the one process that holds the index. We chose request files over per-entry
 * file locks because POSIX record locks are per-process and released by any close of the file,
 * which makes them easy to lose inside one JVM, and because the server would still have to learn
 * about changes to its in-memory index.
 */
package org.mailseal.spool;
