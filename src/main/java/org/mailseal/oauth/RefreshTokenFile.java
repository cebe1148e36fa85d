// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.mailseal.fs.AtomicFiles;

/**
 * The refresh token of one smarthost, in a file of its own (mode 0600). A rotated token replaces
 * the file atomically, so a crash leaves the old token or the new one, never half of either.
 */
public final class RefreshTokenFile {
  private final Path file;

  public RefreshTokenFile(Path file) {
    this.file = file;
  }

  /** The stored token; empty when the file does not exist yet (no consent given). */
  public Optional<String> read() throws IOException {
    try {
      String t = Files.readString(file, StandardCharsets.UTF_8).strip();
      return t.isEmpty() ? Optional.empty() : Optional.of(t);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Replaces the stored token durably, mode 0600. */
  public void write(String token) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      AtomicFiles.createPrivateDirectories(dir);
    }
    AtomicFiles.writePrivate(file, (token + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * When the file last changed (empty when absent): a new value means someone stored a new token,
   * so delivery may try again at once.
   */
  public Optional<FileTime> version() {
    try {
      return Optional.of(Files.getLastModifiedTime(file));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public Path path() {
    return file;
  }

  @Override
  public String toString() {
    return file + " (****)";
  }
}
