// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.SelectorTemplate;

/**
 * The effective configuration as stable {@code key=value} lines, for the start log and {@code
 * config check}. It is derived from the records themselves, so a new setting appears here the day
 * it is added: each record component becomes its YAML key (camelCase to kebab-case), nested records
 * a dotted prefix, map entries a quoted key. Strings and paths are quoted; secrets print only where
 * they come from ({@link SecretRef#toString()}); a command prints its program and the number of its
 * arguments, which may carry a token.
 */
public final class EffectiveConfig {
  private EffectiveConfig() {}

  /** Every setting of {@code config}, one line each, in the records' order. */
  public static List<String> lines(MailsealConfig config) {
    List<String> out = new ArrayList<>();
    walk("", config, out);
    return out;
  }

  private static void walk(String prefix, Object value, List<String> out) {
    if (value instanceof Optional<?> o) {
      if (o.isPresent()) {
        walk(prefix, o.get(), out);
      } else {
        out.add(prefix + "=none");
      }
    } else if (value instanceof Map<?, ?> m) {
      new TreeMap<>(m).forEach((k, v) -> walk(prefix + ".\"" + k + "\"", v, out));
    } else if (value instanceof Record r
        && !(value instanceof SecretRef)
        && !(value instanceof SelectorTemplate)
        && !(value instanceof Command)) {
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        String key = kebab(c.getName());
        walk(prefix.isEmpty() ? key : prefix + "." + key, component(r, c), out);
      }
    } else {
      out.add(prefix + "=" + scalar(value));
    }
  }

  private static Object component(Record r, RecordComponent c) {
    try {
      return c.getAccessor().invoke(r);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + c.getName(), e); // records are public
    }
  }

  private static String scalar(Object v) {
    if (v instanceof String || v instanceof Path) {
      return "\"" + v + "\"";
    } else if (v instanceof SelectorTemplate t) {
      return "\"" + t.template() + "\"";
    } else if (v instanceof Tagged t) {
      return t.tag();
    } else if (v instanceof KeyAlgorithm a) {
      return a.tag();
    } else if (v instanceof List<?> l) {
      List<String> items = new ArrayList<>();
      l.forEach(i -> items.add(scalar(i)));
      return "[" + String.join(", ", items) + "]";
    }
    return String.valueOf(v);
  }

  static String kebab(String camel) {
    StringBuilder sb = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) {
        sb.append('-').append(Character.toLowerCase(ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }
}
