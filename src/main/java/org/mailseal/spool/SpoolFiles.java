// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The names of things in a spool directory, and the few file operations the durability protocol is
 * made of. See {@code package-info.java} for the layout.
 */
final class SpoolFiles {
  static final String MESSAGE = ".eml";
  static final String ENVELOPE = ".env";
  static final String TEMP = ".tmp";
  static final String REMOVING = ".del";
  static final String LOCK = ".lock";
  static final String CORRUPT_DIR = "corrupt";
  static final String CONTROL_DIR = "control";
  static final String FREE_DIR = "free";

  /** What a file in the spool directory is, judged by its name. */
  enum Kind {
    MESSAGE(SpoolFiles.MESSAGE),
    ENVELOPE(SpoolFiles.ENVELOPE),
    MESSAGE_TEMP(SpoolFiles.MESSAGE + TEMP),
    ENVELOPE_TEMP(SpoolFiles.ENVELOPE + TEMP),
    REMOVING(SpoolFiles.REMOVING);

    final String suffix;

    Kind(String suffix) {
      this.suffix = suffix;
    }
  }

  /** A file name of the spool read as (id, kind). */
  record Name(QueueId id, Kind kind) {}

  private final Path dir;

  SpoolFiles(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  Path corruptDir() {
    return dir.resolve(CORRUPT_DIR);
  }

  Path controlDir() {
    return dir.resolve(CONTROL_DIR);
  }

  Path freeDir() {
    return dir.resolve(FREE_DIR);
  }

  Path lockFile() {
    return dir.resolve(LOCK);
  }

  Path path(QueueId id, Kind kind) {
    return dir.resolve(id.value() + kind.suffix);
  }

  /** The id and kind of a spool file name, or empty for anything else. */
  static Optional<Name> classify(String fileName) {
    if (fileName.length() <= QueueId.LENGTH) {
      return Optional.empty();
    }
    String idPart = fileName.substring(0, QueueId.LENGTH);
    String suffix = fileName.substring(QueueId.LENGTH);
    if (!QueueId.isValid(idPart)) {
      return Optional.empty();
    }
    for (Kind kind : Kind.values()) {
      if (kind.suffix.equals(suffix)) {
        return Optional.of(new Name(new QueueId(idPart), kind));
      }
    }
    return Optional.empty();
  }

  /**
   * The committed entries in {@code dir}, by id, read without the lock: every {@code .eml} and
   * {@code .env} was renamed into place whole. An entry's {@code .env}, when delivery rewrote it,
   * is newer than the envelope its message file carries. One that vanishes or does not parse while
   * being read is left out.
   */
  static List<SpoolEntry> readEnvelopes(Path dir, EnvelopeCodec codec) throws IOException {
    Map<QueueId, Boolean> rewritten = new TreeMap<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        Optional<Name> name = classify(p.getFileName().toString());
        if (name.isEmpty()) {
          continue;
        }
        if (name.get().kind() == Kind.MESSAGE) {
          rewritten.putIfAbsent(name.get().id(), false);
        } else if (name.get().kind() == Kind.ENVELOPE) {
          rewritten.put(name.get().id(), true);
        }
      }
    }
    SpoolFiles files = new SpoolFiles(dir);
    List<SpoolEntry> out = new ArrayList<>();
    for (Map.Entry<QueueId, Boolean> e : rewritten.entrySet()) {
      try {
        Optional<SpoolEntry> entry = Optional.empty();
        if (e.getValue()) {
          entry = readIfPresent(files.path(e.getKey(), Kind.ENVELOPE), codec);
        }
        if (entry.isEmpty()) {
          entry = readTrailer(files.path(e.getKey(), Kind.MESSAGE), codec);
        }
        entry.filter(x -> x.id().equals(e.getKey())).ifPresent(out::add);
      } catch (IOException goneOrRewritten) {
        // removed, or moved by recovery, meanwhile
      }
    }
    return List.copyOf(out);
  }

  private static Optional<SpoolEntry> readIfPresent(Path envelope, EnvelopeCodec codec)
      throws IOException {
    try {
      return Optional.of(codec.read(Files.readAllBytes(envelope)));
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    }
  }

  /** The envelope a message file carries, or empty for a file without one or gone. */
  private static Optional<SpoolEntry> readTrailer(Path message, EnvelopeCodec codec)
      throws IOException {
    try (FileChannel ch = FileChannel.open(message, StandardOpenOption.READ)) {
      Optional<byte[]> json = EnvelopeTrailer.read(ch);
      return json.isEmpty() ? Optional.empty() : Optional.of(codec.read(json.get()));
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    }
  }

  /**
   * Writes {@code data} to {@code file} (created or truncated) and syncs it; the caller renames it
   * into place afterwards.
   */
  static void writeSynced(Path file, byte[] data, Syncer syncer) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      syncer.syncFile(ch);
    }
  }

  /** Renames atomically, replacing {@code to} if present ({@code rename(2)}). */
  static void rename(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Moves {@code file} into {@code targetDir} under its own name, or its name plus {@code .1},
   * {@code .2}, ... when that is taken. Never overwrites.
   */
  static Path moveAside(Path file, Path targetDir) throws IOException {
    String name = file.getFileName().toString();
    for (int n = 0; ; n++) {
      Path target = targetDir.resolve(n == 0 ? name : name + "." + n);
      if (Files.exists(target)) {
        continue;
      }
      try {
        // Same file system (a subdirectory), so this is a rename.
        Files.move(file, target);
        return target;
      } catch (FileAlreadyExistsException raced) {
        // someone else took the name between the check and the move: try the next one
      }
    }
  }
}
