// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers where each node was written, so that every error can
 * name its line and column. Jackson's tree model forgets positions; this is built from its
 * streaming parser instead. Public so that other files mailseal reads (the users file) report their
 * errors the same way.
 */
public sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Mapping, YamlNode.Sequence {
  int line();

  int column();

  /** What kind of node this is, for messages: "a string", "a map", "a list". */
  String kind();

  /** A plain value; {@code text} is null for YAML null. */
  record Scalar(String text, boolean quotedOrString, int line, int column) implements YamlNode {
    @Override
    public String kind() {
      return text == null ? "nothing (null)" : "a value";
    }
  }

  /** A key of a mapping, with its own position. */
  record Key(String name, int line, int column) {}

  record Mapping(Map<String, Map.Entry<Key, YamlNode>> entries, int line, int column)
      implements YamlNode {
    @Override
    public String kind() {
      return "a map";
    }
  }

  record Sequence(List<YamlNode> items, int line, int column) implements YamlNode {
    @Override
    public String kind() {
      return "a list";
    }
  }

  /** A YAML syntax error, with its position. */
  final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;
    final int line;
    final int column;

    SyntaxError(String message, int line, int column) {
      super(message);
      this.line = line;
      this.column = column;
    }

    public int line() {
      return line;
    }

    public int column() {
      return column;
    }
  }

  /** Parses one document; duplicate keys are reported through {@code duplicates}. */
  static YamlNode parse(Reader in, List<Key> duplicates) throws IOException, SyntaxError {
    try (JsonParser p = new YAMLFactory().createParser(in)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return new Mapping(new LinkedHashMap<>(), 1, 1);
      }
      return read(p, duplicates);
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      String message = e.getOriginalMessage();
      int cut = message.indexOf('\n');
      throw new SyntaxError(
          "YAML syntax error: " + (cut < 0 ? message : message.substring(0, cut)).strip(),
          l == null ? 1 : Math.max(1, l.getLineNr()),
          l == null ? 1 : Math.max(1, l.getColumnNr()));
    }
  }

  private static YamlNode read(JsonParser p, List<Key> duplicates) throws IOException {
    JsonLocation at = p.currentTokenLocation();
    int line = at.getLineNr();
    int column = at.getColumnNr();
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      Map<String, Map.Entry<Key, YamlNode>> entries = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        JsonLocation k = p.currentTokenLocation();
        Key key = new Key(p.currentName(), k.getLineNr(), k.getColumnNr());
        p.nextToken();
        YamlNode value = read(p, duplicates);
        if (entries.containsKey(key.name())) {
          duplicates.add(key);
        } else {
          entries.put(key.name(), Map.entry(key, value));
        }
      }
      return new Mapping(entries, line, column);
    }
    if (t == JsonToken.START_ARRAY) {
      List<YamlNode> items = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        items.add(read(p, duplicates));
      }
      return new Sequence(items, line, column);
    }
    if (t == JsonToken.VALUE_NULL) {
      return new Scalar(null, false, line, column);
    }
    return new Scalar(p.getText(), t == JsonToken.VALUE_STRING, line, column);
  }
}
