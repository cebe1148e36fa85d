// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Holds one signed message between the end of DATA and the spool write: in memory up to {@code
 * threshold} bytes, then in a private temporary file, so a large message never sits in the heap.
 * The DKIM-Signature fields are known only at the end of the body, and they go in front of it.
 */
final class SpillBuffer extends OutputStream {
  private final int threshold;
  private final Path directory;
  private ByteArrayOutputStream memory = new ByteArrayOutputStream(8192);
  private Path file;
  private OutputStream fileOut;
  private long size;

  SpillBuffer(int threshold, Path directory) {
    this.threshold = threshold;
    this.directory = directory;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (fileOut == null && memory.size() + len > threshold) {
      Files.createDirectories(directory);
      file =
          Files.createTempFile(
              directory,
              "data",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
      memory.writeTo(fileOut);
      memory = null;
    }
    if (fileOut != null) {
      fileOut.write(b, off, len);
    } else {
      memory.write(b, off, len);
    }
    size += len;
  }

  long size() {
    return size;
  }

  /** Copies what was written to {@code out}. */
  void writeTo(OutputStream out) throws IOException {
    if (fileOut == null) {
      memory.writeTo(out);
      return;
    }
    fileOut.flush();
    Files.copy(file, out);
  }

  /** Removes the temporary file, if any. */
  @Override
  public void close() throws IOException {
    if (fileOut != null) {
      fileOut.close();
      Files.deleteIfExists(file);
      fileOut = null;
    }
  }
}
