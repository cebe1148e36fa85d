// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server's side of the control directory (see {@link SpoolControl}). */
final class ControlFiles {
  private static final Logger log = LoggerFactory.getLogger(ControlFiles.class);

  private final Path dir;

  ControlFiles(Path dir) {
    this.dir = dir;
  }

  /** Applies every waiting request in name order, replies, deletes it; returns how many. */
  int apply(Spool spool) throws SpoolException {
    List<Path> requests = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SpoolControl.REQUEST)) {
      stream.forEach(requests::add);
    } catch (IOException e) {
      throw new SpoolException.Storage(null, dir, "cannot read control directory " + dir, e);
    }
    requests.sort(null);
    int handled = 0;
    for (Path req : requests) {
      String result;
      try {
        ControlRequest request = SpoolControl.decode(Files.readAllBytes(req));
        result = request.applyTo(spool);
        log.info("spool control applied request={} result=\"{}\"", req.getFileName(), result);
      } catch (NoSuchFileException gone) {
        continue;
      } catch (IOException e) {
        result = "error unreadable request: " + e.getMessage();
        log.warn("spool control rejected request={} reason=\"{}\"", req.getFileName(), result);
      } catch (SpoolException e) {
        result = "error " + e.getMessage();
        log.warn("spool control failed request={} reason=\"{}\"", req.getFileName(), result);
      }
      reply(req, result);
      handled++;
    }
    return handled;
  }

  private void reply(Path req, String result) throws SpoolException {
    String name = req.getFileName().toString();
    String base = name.substring(0, name.length() - SpoolControl.REQUEST.length());
    Path temp = dir.resolve(base + SpoolControl.REPLY + SpoolFiles.TEMP);
    Path reply = dir.resolve(base + SpoolControl.REPLY);
    try {
      Files.writeString(temp, result + "\n", StandardCharsets.UTF_8);
      SpoolFiles.rename(temp, reply);
      // After the reply: a crash between the two applies the request again, which is harmless.
      Files.deleteIfExists(req);
    } catch (IOException e) {
      throw new SpoolException.Storage(null, reply, "cannot write control reply " + reply, e);
    }
  }
}
