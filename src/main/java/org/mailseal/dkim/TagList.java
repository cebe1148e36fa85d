// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tag=value list of RFC 6376 §3.2, used by the DKIM-Signature header and the key record.
 * Whitespace (FWS) around tags, around {@code =} and at the ends of values is dropped; inner
 * whitespace of a value is kept for the caller to interpret (base64 values drop it). A tag named
 * twice makes the list invalid; an empty trailing segment after the last {@code ;} is allowed.
 */
public final class TagList {
  private final Map<String, String> tags;

  private TagList(Map<String, String> tags) {
    this.tags = Collections.unmodifiableMap(tags);
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the offending tag when the list is malformed
   */
  public static TagList parse(String text) {
    Map<String, String> tags = new LinkedHashMap<>();
    String[] specs = text.split(";", -1);
    for (int i = 0; i < specs.length; i++) {
      String spec = specs[i];
      if (spec.isBlank()) {
        if (i == specs.length - 1) {
          break; // RFC 6376 §3.2: a trailing ";" is allowed
        }
        throw new IllegalArgumentException("empty tag-spec in tag list");
      }
      int eq = spec.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("tag-spec without '=': " + abbreviate(spec.strip()));
      }
      String name = strip(spec.substring(0, eq));
      if (!isTagName(name)) {
        throw new IllegalArgumentException("invalid tag name: " + abbreviate(name));
      }
      String value = strip(spec.substring(eq + 1));
      if (tags.putIfAbsent(name, value) != null) {
        throw new IllegalArgumentException("duplicate tag: " + name);
      }
    }
    return new TagList(tags);
  }

  /** The tags in the order they appeared. */
  public Map<String, String> asMap() {
    return tags;
  }

  /** The value of {@code name}, or {@code null} when absent. Package use only. */
  String get(String name) {
    return tags.get(name);
  }

  boolean has(String name) {
    return tags.containsKey(name);
  }

  /** Removes all whitespace (FWS) from a value, as base64 tag values require. */
  static String withoutWhitespace(String value) {
    StringBuilder sb = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean isTagName(String name) {
    // tag-name = ALPHA *ALNUMPUNC ; ALNUMPUNC = ALPHA / DIGIT / "_"
    if (name.isEmpty() || !isAlpha(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isAlpha(c) && !(c >= '0' && c <= '9') && c != '_') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static String strip(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && isWsp(s.charAt(b))) {
      b++;
    }
    while (e > b && isWsp(s.charAt(e - 1))) {
      e--;
    }
    return s.substring(b, e);
  }

  private static boolean isWsp(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
