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
 *   &lt;id&gt;.eml              the message bytes as they will be sent (DKIM-Signature fields first)
 *   &lt;id&gt;.env              the envelope and delivery state, JSON (see EnvelopeCodec)
 *   &lt;id&gt;.eml.tmp, .env.tmp  being written; never valid on their own
 *   &lt;id&gt;.del              envelope of an entry being removed
 *   corrupt/              files recovery could not make sense of, kept for an operator
 *   control/              requests from other processes: &lt;name&gt;.req in, &lt;name&gt;.reply out
 * </pre>
 *
 * <p>Two files per message rather than one with a header: delivery rewrites the envelope after
 * every attempt (per-recipient states, attempts, next time), and with the envelope apart that is an
 * atomic replace of a few hundred bytes, never a copy of a message that may be 50 MB. The price,
 * two renames per store, is handled by the order below.
 *
 * <h2>Durability protocol</h2>
 *
 * Store (the {@code 250} path):
 *
 * <ol>
 *   <li>create {@code <id>.eml.tmp} (CREATE_NEW, which also makes the id unique), stream the
 *       message into it, fsync it;
 *   <li>write {@code <id>.env.tmp}, fsync it (steps 1 and 2 run on the caller's thread, so sessions
 *       sync their own files in parallel);
 *   <li>hand over to the committer thread, which for a whole batch of pending stores renames each
 *       {@code .eml.tmp} to {@code .eml} and then {@code .env.tmp} to {@code .env};
 *   <li>fsync the spool directory once for the batch (group commit);
 *   <li>release every caller of the batch: only now does {@code store} return the id, and only then
 *       may the session answer {@code 250}.
 * </ol>
 *
 * Envelope rewrite (after a delivery attempt): write and fsync {@code <id>.env.tmp}, rename it over
 * {@code <id>.env}, fsync the directory (batched with other changes). The old or the new envelope
 * is always there whole.
 *
 * <p>Removal: rename {@code <id>.env} to {@code <id>.del} and fsync the directory (from here the
 * entry is gone); delete {@code <id>.eml} and fsync; delete {@code <id>.del}. The middle sync
 * ensures a crash never leaves a message without any envelope-like file beside it.
 *
 * <h2>Recovery</h2>
 *
 * At {@link org.mailseal.spool.Spool#open} each id is judged by the files it has:
 *
 * <ul>
 *   <li>{@code .eml} and {@code .env}, the envelope parses, names this id and the message size
 *       matches: queued again with its recipient states, so recipients already DELIVERED are not
 *       sent to again; a stray {@code .env.tmp} (interrupted rewrite) is deleted.
 *   <li>{@code .del}: the removal is finished.
 *   <li>one final file and its partner only as {@code .tmp}: a store that crashed between its
 *       renames and its directory sync, so before {@code 250}; it is deleted, the client retries.
 *   <li>only {@code .tmp} files: deleted.
 *   <li>a final file with no partner at all, or an envelope that is unreadable, names another id or
 *       disagrees with the message size: both files are moved to {@code corrupt/} (never
 *       overwriting) with a WARN. Nothing there is deleted automatically.
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
