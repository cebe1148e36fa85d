// SPDX-License-Identifier: Apache-2.0
package org.mailseal.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Durable, all-or-nothing file writes: the bytes go to a temporary file in the same directory
 * (created with its final permissions, so a private key is never readable by others even for a
 * moment), which is fsynced, renamed over the target atomically, and then the directory is fsynced
 * so that the rename itself survives a crash. A crash at any step leaves either the old file or the
 * new one, plus at most a temporary file whose name starts with {@code .tmp-}.
 */
public final class AtomicFiles {
  /** Owner read and write only. */
  public static final Set<PosixFilePermission> PRIVATE_FILE =
      PosixFilePermissions.fromString("rw-------");

  /** Owner only. */
  public static final Set<PosixFilePermission> PRIVATE_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  /** Prefix of temporary files; readers skip such names and recovery removes them. */
  public static final String TEMP_PREFIX = ".tmp-";

  private AtomicFiles() {}

  /** Writes {@code data} to {@code target} durably, with mode 0600. */
  public static void writePrivate(Path target, byte[] data) throws IOException {
    write(target, data, PRIVATE_FILE);
  }

  /** Writes {@code data} to {@code target} durably, with {@code permissions}. */
  public static void write(Path target, byte[] data, Set<PosixFilePermission> permissions)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp = createTemp(dir, target.getFileName().toString(), permissions);
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    syncDirectory(dir);
  }

  /** Writes what {@code content} produces, durably, without holding it in memory. */
  public static void write(Path target, Content content, Set<PosixFilePermission> permissions)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp = createTemp(dir, target.getFileName().toString(), permissions);
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE);
          java.io.OutputStream out =
              new java.io.BufferedOutputStream(
                  java.nio.channels.Channels.newOutputStream(ch), 65536)) {
        content.writeTo(out);
        out.flush();
        ch.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    syncDirectory(dir);
  }

  /** Produces a file's bytes into a stream. */
  @FunctionalInterface
  public interface Content {
    void writeTo(java.io.OutputStream out) throws IOException;
  }

  /** Creates {@code dir} and missing parents; the last directory gets mode 0700. */
  public static void createPrivateDirectories(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
      if (parent != null) {
        syncDirectory(parent);
      }
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  /** Makes the entries of {@code dir} (creations, renames, deletions) durable. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static Path createTemp(Path dir, String name, Set<PosixFilePermission> permissions)
      throws IOException {
    FileAttribute<Set<PosixFilePermission>> attr =
        PosixFilePermissions.asFileAttribute(permissions);
    return Files.createTempFile(dir, TEMP_PREFIX + name + "-", "", attr);
  }
}
