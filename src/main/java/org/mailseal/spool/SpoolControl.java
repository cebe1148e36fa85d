// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The requester's side of the control directory: how a process that does not hold the spool lock
 * (the {@code queue} CLI while the server runs) asks the server to change the spool.
 *
 * <p>A request is a small JSON file {@code control/<name>.req} (written as {@code <name>.tmp} and
 * renamed, so the server never reads half a request). The server applies it ({@link
 * Spool#applyControlRequests()}), writes the one-line result to {@code control/<name>.reply} and
 * deletes the request. The requester reads the reply with {@link #reply(Path)} and deletes it.
 * Control files are not fsynced: a request lost in a crash is simply asked again.
 */
public final class SpoolControl {
  static final String REQUEST = ".req";
  static final String REPLY = ".reply";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SpoolControl() {}

  /**
   * Drops {@code request} into the control directory of the spool at {@code spoolDir}.
   *
   * @param random picks the request's file name
   * @return the request file; pass it to {@link #reply(Path)}
   */
  public static Path submit(Path spoolDir, ControlRequest request, RandomGenerator random)
      throws SpoolException {
    Path control = spoolDir.resolve(SpoolFiles.CONTROL_DIR);
    String name = "r" + HexFormat.of().toHexDigits(random.nextLong());
    Path temp = control.resolve(name + SpoolFiles.TEMP);
    Path req = control.resolve(name + REQUEST);
    try {
      Files.createDirectories(control);
      Files.write(temp, encode(request));
      SpoolFiles.rename(temp, req);
      return req;
    } catch (IOException e) {
      throw new SpoolException.Storage(null, req, "cannot write control request " + req, e);
    }
  }

  /**
   * The server's one-line answer to the request at {@code requestFile}, once there is one; the
   * reply file is deleted when read.
   */
  public static Optional<String> reply(Path requestFile) throws SpoolException {
    String name = requestFile.getFileName().toString();
    String base =
        name.endsWith(REQUEST) ? name.substring(0, name.length() - REQUEST.length()) : name;
    Path reply = requestFile.resolveSibling(base + REPLY);
    try {
      String text = Files.readString(reply, StandardCharsets.UTF_8).strip();
      Files.deleteIfExists(reply);
      return Optional.of(text);
    } catch (NoSuchFileException notYet) {
      return Optional.empty();
    } catch (IOException e) {
      throw new SpoolException.Storage(null, reply, "cannot read control reply " + reply, e);
    }
  }

  static byte[] encode(ControlRequest request) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("op", request.op());
    if (request instanceof ControlRequest.Remove r) {
      root.put("id", r.id().value());
    } else if (request instanceof ControlRequest.RetryNow r) {
      root.put("id", r.id().value());
    } else if (request instanceof ControlRequest.Bounce r) {
      root.put("id", r.id().value());
    }
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a request file's bytes.
   *
   * @throws IOException when they are not a request we know
   */
  static ControlRequest decode(byte[] bytes) throws IOException {
    JsonNode root = MAPPER.readTree(bytes);
    if (root == null || !root.path("op").isTextual()) {
      throw new IOException("control request without op");
    }
    String op = root.get("op").asText();
    try {
      switch (op) {
        case "remove":
          return new ControlRequest.Remove(QueueId.parse(root.path("id").asText()));
        case "retry":
          return new ControlRequest.RetryNow(QueueId.parse(root.path("id").asText()));
        case "retry-all":
          return new ControlRequest.RetryAll();
        case "bounce":
          return new ControlRequest.Bounce(QueueId.parse(root.path("id").asText()));
        default:
          throw new IOException("unknown control op " + op);
      }
    } catch (IllegalArgumentException e) {
      throw new IOException("control request " + op + ": " + e.getMessage(), e);
    }
  }
}
