// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mailseal.fs.AtomicFiles;
import org.mailseal.spool.SpoolEntry;

/**
 * The embedded default's way out: each message is written to an outbox directory exactly as it
 * would leave — signed, CRLF — as {@code <queue id>.eml}, beside {@code <queue id>.envelope} with
 * its {@code MAIL FROM} and {@code RCPT TO} lines. Writes are atomic and durable, so a file that
 * exists is complete.
 */
public final class FileTransport implements Transport {
  private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-r-----");

  private final Path outbox;

  public FileTransport(Path outbox) {
    this.outbox = outbox;
  }

  @Override
  public Map<String, DeliveryOutcome> deliver(
      SpoolEntry entry, List<String> recipients, MessageSource message) {
    Map<String, DeliveryOutcome> out = new LinkedHashMap<>();
    Path eml = outbox.resolve(entry.id().value() + ".eml");
    try {
      Files.createDirectories(outbox);
      AtomicFiles.write(
          eml,
          o -> {
            try (InputStream in = message.open()) {
              in.transferTo(o);
            }
          },
          MODE);
      StringBuilder env = new StringBuilder("MAIL FROM:<").append(entry.sender()).append(">\n");
      recipients.forEach(r -> env.append("RCPT TO:<").append(r).append(">\n"));
      AtomicFiles.write(
          outbox.resolve(entry.id().value() + ".envelope"),
          env.toString().getBytes(StandardCharsets.UTF_8),
          MODE);
      recipients.forEach(r -> out.put(r, new DeliveryOutcome.Delivered("written to " + eml)));
    } catch (IOException e) {
      // A full disk or a permission problem is worth retrying once fixed.
      recipients.forEach(
          r ->
              out.put(
                  r, new DeliveryOutcome.Deferred("cannot write " + eml + ": " + e.getMessage())));
    }
    return out;
  }
}
