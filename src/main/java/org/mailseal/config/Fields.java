// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads one YAML mapping of the configuration: each getter names a key, checks its value and
 * records a problem (with file, line, column and key path) instead of throwing, so that one run
 * reports every mistake. {@link #finish()} reports the keys nobody asked for.
 */
final class Fields {
  private final String file;
  private final String path;
  private final YamlNode.Mapping node;
  private final List<ConfigException.Problem> problems;
  private final Set<String> used = new HashSet<>();

  Fields(String file, String path, YamlNode node, List<ConfigException.Problem> problems) {
    this.file = file;
    this.path = path;
    this.problems = problems;
    if (node instanceof YamlNode.Mapping m) {
      this.node = m;
    } else {
      this.node = new YamlNode.Mapping(new LinkedHashMap<>(), node.line(), node.column());
      if (!(node instanceof YamlNode.Scalar s && s.text() == null)) {
        problem(node, path, "must be a map of keys, found " + node.kind());
      }
    }
  }

  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    return node.entries().containsKey(key);
  }

  /** The names of every key present, in file order (for maps keyed by data, such as domains). */
  List<String> keys() {
    return new ArrayList<>(node.entries().keySet());
  }

  YamlNode raw(String key) {
    used.add(key);
    Map.Entry<YamlNode.Key, YamlNode> e = node.entries().get(key);
    return e == null ? null : e.getValue();
  }

  YamlNode.Key keyNode(String key) {
    return node.entries().get(key).getKey();
  }

  Fields section(String key) {
    YamlNode n = raw(key);
    return new Fields(file, path(key), n == null ? emptyAt() : n, problems);
  }

  String string(String key, String fallback) {
    YamlNode n = raw(key);
    if (n == null) {
      return fallback;
    }
    if (n instanceof YamlNode.Scalar s && s.text() != null) {
      return s.text();
    }
    if (n instanceof YamlNode.Scalar) {
      return fallback;
    }
    problem(n, path(key), "must be a single value, found " + n.kind());
    return fallback;
  }

  /** A required string; records a problem (at the mapping) when missing. */
  String required(String key) {
    String v = string(key, null);
    if (v == null || v.isBlank()) {
      problem(node, path(key), "is required");
      return "";
    }
    return v;
  }

  int integer(String key, int fallback, int min, int max) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    try {
      int i = Integer.parseInt(v.strip());
      if (i < min || i > max) {
        problem(raw(key), path(key), "must be " + min + "-" + max + ", found " + v);
        return fallback;
      }
      return i;
    } catch (NumberFormatException e) {
      problem(raw(key), path(key), "must be a whole number " + min + "-" + max + ", found " + v);
      return fallback;
    }
  }

  boolean bool(String key, boolean fallback) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "on":
        return true;
      case "false":
      case "no":
      case "off":
        return false;
      default:
        problem(raw(key), path(key), "must be true or false, found " + v);
        return fallback;
    }
  }

  Duration duration(String key, Duration fallback) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Units.duration(v);
    } catch (IllegalArgumentException e) {
      problem(raw(key), path(key), e.getMessage());
      return fallback;
    }
  }

  long size(String key, long fallback) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Units.size(v);
    } catch (IllegalArgumentException e) {
      problem(raw(key), path(key), e.getMessage());
      return fallback;
    }
  }

  /** One of {@code allowed} (case-insensitive); the result is lower case. */
  String choice(String key, String fallback, String... allowed) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    String lower = v.strip().toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(lower)) {
        return a;
      }
    }
    problem(raw(key), path(key), "must be one of " + String.join(", ", allowed) + ", found " + v);
    return fallback;
  }

  /** One of the constants of {@code type}, named in the file by its {@link Tagged#tag()}. */
  <E extends Enum<E> & Tagged> E choice(String key, E fallback) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    String lower = v.strip().toLowerCase(Locale.ROOT);
    List<String> tags = new ArrayList<>();
    for (E e : fallback.getDeclaringClass().getEnumConstants()) {
      if (e.tag().equals(lower)) {
        return e;
      }
      tags.add(e.tag());
    }
    problem(raw(key), path(key), "must be one of " + String.join(", ", tags) + ", found " + v);
    return fallback;
  }

  /** Like {@link #choice(String, Enum)}, empty when the key is absent. */
  <E extends Enum<E> & Tagged> Optional<E> optionalChoice(String key, E type) {
    return has(key) ? Optional.of(choice(key, type)) : Optional.empty();
  }

  /** A list of values (a single value counts as a list of one). */
  List<String> strings(String key) {
    YamlNode n = raw(key);
    List<String> out = new ArrayList<>();
    if (n == null || (n instanceof YamlNode.Scalar s0 && s0.text() == null)) {
      return out;
    }
    if (n instanceof YamlNode.Scalar s) {
      out.add(s.text());
      return out;
    }
    if (n instanceof YamlNode.Sequence seq) {
      for (YamlNode item : seq.items()) {
        if (item instanceof YamlNode.Scalar s && s.text() != null) {
          out.add(s.text());
        } else {
          problem(item, path(key), "list items must be single values, found " + item.kind());
        }
      }
      return out;
    }
    problem(n, path(key), "must be a list, found " + n.kind());
    return out;
  }

  /** Checks each value of {@code key} with {@code check}, which returns an error text or null. */
  List<String> strings(String key, Function<String, String> check) {
    List<String> values = strings(key);
    YamlNode n = raw(key);
    List<String> ok = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String error = check.apply(values.get(i));
      if (error == null) {
        ok.add(values.get(i));
      } else {
        YamlNode at = n instanceof YamlNode.Sequence seq ? seq.items().get(i) : n;
        problem(at, path(key), error);
      }
    }
    return ok;
  }

  void problem(YamlNode at, String key, String message) {
    problems.add(new ConfigException.Problem(file, at.line(), at.column(), key, message));
  }

  /** A problem with {@code key} reported at this mapping (the key itself is absent). */
  void problemMissing(String key, String message) {
    problem(node, path(key), message);
  }

  void problemAtKey(String key, String message) {
    YamlNode.Key k = keyNode(key);
    problems.add(new ConfigException.Problem(file, k.line(), k.column(), path(key), message));
  }

  /** Reports every key that no getter asked for, with a suggestion when one is close. */
  void finish(String... known) {
    Set<String> names = new HashSet<>(used);
    names.addAll(List.of(known));
    for (Map.Entry<String, Map.Entry<YamlNode.Key, YamlNode>> e : node.entries().entrySet()) {
      if (!names.contains(e.getKey())) {
        YamlNode.Key k = e.getValue().getKey();
        String near = nearest(e.getKey(), names);
        problems.add(
            new ConfigException.Problem(
                file,
                k.line(),
                k.column(),
                path(e.getKey()),
                "unknown key" + (near == null ? "" : "; did you mean " + near + "?")));
      }
    }
  }

  private YamlNode emptyAt() {
    return new YamlNode.Mapping(new LinkedHashMap<>(), node.line(), node.column());
  }

  private static String nearest(String word, Set<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String c : candidates) {
      int d = distance(word.toLowerCase(Locale.ROOT), c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return best;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
