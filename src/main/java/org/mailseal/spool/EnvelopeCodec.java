// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SpoolEntry} as the JSON of an {@code <id>.env} file. Written field by field (not by
 * reflection) so that renaming a Java field can never silently change the file format; {@code
 * "version"} lets a later format read this one.
 */
final class EnvelopeCodec {
  static final int VERSION = 1;

  private final ObjectMapper mapper = new ObjectMapper();

  byte[] write(SpoolEntry e) {
    ObjectNode root = mapper.createObjectNode();
    root.put("version", VERSION);
    root.put("id", e.id().value());
    root.put("sender", e.sender());
    root.put("authUser", e.authUser());
    root.put("bounce", e.bounce());
    root.put("accepted", e.accepted().toString());
    root.put("attempts", e.attempts());
    root.put("nextAttempt", e.nextAttempt().toString());
    root.put("size", e.size());
    root.put("delayWarned", e.delayWarned());
    root.put("bounceRequested", e.bounceRequested());
    ArrayNode rcpts = root.putArray("recipients");
    for (Recipient r : e.recipients()) {
      ObjectNode n = rcpts.addObject();
      n.put("address", r.address());
      n.put("state", r.state().name());
      n.put("lastReply", r.lastReply());
    }
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException impossible) {
      // Writing a tree to a byte array does no I/O.
      throw new IllegalStateException(impossible);
    }
  }

  /**
   * Reads an envelope.
   *
   * @throws IOException when the bytes are not a complete, valid envelope of a known version
   */
  SpoolEntry read(byte[] json) throws IOException {
    JsonNode root = mapper.readTree(json);
    if (root == null || !root.isObject()) {
      throw new IOException("envelope is not a JSON object");
    }
    int version = integer(root, "version");
    if (version != VERSION) {
      throw new IOException("unknown envelope version " + version);
    }
    try {
      List<Recipient> rcpts = new ArrayList<>();
      JsonNode array = root.get("recipients");
      if (array == null || !array.isArray()) {
        throw new IOException("envelope field recipients missing");
      }
      for (JsonNode n : array) {
        rcpts.add(
            new Recipient(
                text(n, "address"),
                RecipientState.valueOf(text(n, "state")),
                text(n, "lastReply")));
      }
      return new SpoolEntry(
          QueueId.parse(text(root, "id")),
          text(root, "sender"),
          rcpts,
          text(root, "authUser"),
          bool(root, "bounce"),
          Instant.parse(text(root, "accepted")),
          integer(root, "attempts"),
          Instant.parse(text(root, "nextAttempt")),
          root.path("size").asLong(-1),
          // Added later in version 1: absent in older envelopes, which had neither.
          root.path("delayWarned").asBoolean(false),
          root.path("bounceRequested").asBoolean(false));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IOException("invalid envelope: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode node, String field) throws IOException {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new IOException("envelope field " + field + " missing");
    }
    return v.asText();
  }

  private static int integer(JsonNode node, String field) throws IOException {
    JsonNode v = node.get(field);
    if (v == null || !v.isInt()) {
      throw new IOException("envelope field " + field + " missing");
    }
    return v.asInt();
  }

  private static boolean bool(JsonNode node, String field) throws IOException {
    JsonNode v = node.get(field);
    if (v == null || !v.isBoolean()) {
      throw new IOException("envelope field " + field + " missing");
    }
    return v.asBoolean();
  }
}
