// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.mailseal.fs.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users file ({@code var/users.yaml} by default, format in {@link UsersFile}). Written whole
 * and atomically (mode 0600) by {@code mailseal users} and by the server itself when it suspends a
 * user; every change is a read-modify-write under a lock file beside it, so the two never lose each
 * other's change. A running server reads it again when it changes, so a new user, password or app
 * password works (and a removed one stops) within a second.
 *
 * <p>At start ({@link #load()}) a file of the wrong shape is an error naming {@code
 * file:line:column}. On reload it is logged at ERROR, counted ({@link #reloadFailures()}), and the
 * previous users stay in use. A file naming no user is logged at WARN: every login would fail.
 */
public final class UserStore {
  private static final Logger log = LoggerFactory.getLogger(UserStore.class);
  private static final Duration RECHECK = Duration.ofSeconds(1);

  private final Path file;
  private final Clock clock;
  private final AtomicLong reloadFailures = new AtomicLong();
  private volatile Snapshot snapshot = new Snapshot(Map.of(), "", Instant.MIN);

  private record Snapshot(Map<String, User> users, String stamp, Instant checked) {}

  public UserStore(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  public Path file() {
    return file;
  }

  /**
   * Reads the file now; a missing or empty file means no users, and is logged at WARN.
   *
   * @throws UserStoreException naming {@code file:line:column} and what is wrong
   */
  public synchronized Map<String, User> load() throws UserStoreException {
    String stamp = stamp();
    UsersFile.Contents c = parse();
    warnIfEmpty(c);
    snapshot = new Snapshot(c.users(), stamp, clock.instant());
    return c.users();
  }

  /** The user named {@code name} as the file says now (re-read when it changed). */
  public Optional<User> find(String name) {
    return Optional.ofNullable(current().get(name.strip().toLowerCase(Locale.ROOT)));
  }

  /** Every user, by name, as the file says now. */
  public Map<String, User> current() {
    Snapshot s = snapshot;
    Instant now = clock.instant();
    if (now.isBefore(s.checked().plus(RECHECK))) {
      return s.users();
    }
    synchronized (this) {
      s = snapshot;
      try {
        String stamp = stamp();
        if (stamp.equals(s.stamp())) {
          snapshot = new Snapshot(s.users(), stamp, now);
        } else {
          UsersFile.Contents c = parse();
          snapshot = new Snapshot(c.users(), stamp, now);
          log.info("users reloaded file={} users={}", file, c.users().size());
          warnIfEmpty(c);
        }
      } catch (UserStoreException e) {
        reloadFailures.incrementAndGet();
        log.error(
            "users file not reloaded, the previous {} users stay in use: {}; ACTION: fix the file",
            s.users().size(),
            e.getMessage());
        // Remember the bad file's stamp: one ERROR per bad version, not one per second.
        String stamp;
        try {
          stamp = stamp();
        } catch (UserStoreException again) {
          stamp = s.stamp();
        }
        snapshot = new Snapshot(s.users(), stamp, now);
      }
      return snapshot.users();
    }
  }

  /** How many times a changed users file could not be read and was ignored. */
  public long reloadFailures() {
    return reloadFailures.get();
  }

  /** Adds or replaces {@code user} and writes the file. */
  public void put(User user) throws UserStoreException {
    change(
        users -> {
          users.put(user.name(), user);
          return true;
        });
  }

  /**
   * Removes the user and writes the file.
   *
   * @return whether there was such a user
   */
  public boolean remove(String name) throws UserStoreException {
    String n = name.strip().toLowerCase(Locale.ROOT);
    return change(users -> users.remove(n) != null);
  }

  /**
   * Changes one user as the file says now, and writes the file; reading, changing and writing hold
   * the lock, so a concurrent change by the other process is not lost.
   *
   * @return the user as changed, or empty when there is no such user (nothing is written)
   */
  public Optional<User> update(String name, UnaryOperator<User> change) throws UserStoreException {
    String n = name.strip().toLowerCase(Locale.ROOT);
    User[] result = new User[1];
    change(
        users -> {
          User u = users.get(n);
          if (u == null) {
            return false;
          }
          result[0] = change.apply(u);
          users.put(n, result[0]);
          return true;
        });
    return Optional.ofNullable(result[0]);
  }

  private interface Change {
    /** Changes {@code users} in place; returns whether to write them. */
    boolean apply(Map<String, User> users);
  }

  private synchronized boolean change(Change c) throws UserStoreException {
    try {
      if (file.getParent() != null) {
        AtomicFiles.createPrivateDirectories(file.getParent());
      }
      Path lock = file.resolveSibling(file.getFileName() + ".lock");
      try (FileChannel ch =
              FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock held = ch.lock()) {
        Map<String, User> users = new TreeMap<>(parse().users());
        if (!c.apply(users)) {
          return false;
        }
        String text = UsersFile.write(users);
        AtomicFiles.writePrivate(file, text.getBytes(StandardCharsets.UTF_8));
        snapshot = new Snapshot(Map.copyOf(users), stamp(), clock.instant());
        return true;
      }
    } catch (IOException e) {
      throw new UserStoreException(file + ": cannot write: " + e.getMessage(), e);
    }
  }

  private void warnIfEmpty(UsersFile.Contents c) {
    if (c.empty()) {
      log.warn(
          "users file {} names no user: every login fails; ACTION: add one with mailseal users"
              + " add",
          Files.exists(file) ? "" + file : file + " (missing)");
    }
  }

  private String stamp() throws UserStoreException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return a.lastModifiedTime().toMillis() + ":" + a.size() + ":" + a.fileKey();
    } catch (NoSuchFileException e) {
      return "none";
    } catch (IOException e) {
      throw new UserStoreException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private UsersFile.Contents parse() throws UserStoreException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new UsersFile.Contents(Map.of(), true);
    } catch (IOException e) {
      throw new UserStoreException(file + ": cannot read: " + e.getMessage(), e);
    }
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
    CoderResult r =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(in, out, true);
    if (r.isError()) {
      int line = 1;
      int column = 1;
      for (int i = 0; i < in.position(); i++) {
        column = bytes[i] == '\n' ? 1 : column + 1;
        line += bytes[i] == '\n' ? 1 : 0;
      }
      throw new UserStoreException(file + ":" + line + ":" + column + ": not UTF-8 text");
    }
    String text = out.flip().toString();
    return UsersFile.read(file, text);
  }
}
