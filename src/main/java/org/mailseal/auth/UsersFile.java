// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mailseal.config.YamlNode;
import org.mailseal.policy.SenderPattern;
import org.mailseal.policy.SendingLimit;
import org.mailseal.policy.SendingLimits;

/**
 * The text of the users file, read into {@link User}s and written back. Any shape but the expected
 * one is an error naming {@code file:line:column} and the key, never "no users":
 *
 * <pre>
 * users:
 *   alice@example.com:
 *     password: $argon2id$v=19$m=19456,t=2,p=1$…
 *     allow: [alice@example.com, "*.example.com"]
 *     admin: true                                   # optional, default false
 *     credential-version: 3                         # raised by users passwd
 *     password-changed: 2026-12-05T10:00:00Z
 *     app-passwords:
 *       phone: {id: k7pq, password: $argon2id$…, created: 2026-12-05T10:00:00Z}
 *     limits: {messages-per-day: 200}               # over the global limits:
 *     suspended: {since: 2026-12-05T11:00:00Z, reason: messages-per-day 200 exceeded}
 * </pre>
 */
final class UsersFile {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
  private static final Set<String> USER_KEYS =
      Set.of(
          "password",
          "allow",
          "admin",
          "credential-version",
          "password-changed",
          "app-passwords",
          "limits",
          "suspended");

  /**
   * What the file holds.
   *
   * @param empty whether it names no user at all (no document, {@code users:} empty or absent)
   */
  record Contents(Map<String, User> users, boolean empty) {}

  private final Path file;
  private final List<String> problems = new ArrayList<>();

  private UsersFile(Path file) {
    this.file = file;
  }

  /**
   * Reads {@code text}, the contents of {@code file}.
   *
   * @throws UserStoreException naming the first problem as {@code file:line:column: key: what}, and
   *     how many more there are
   */
  static Contents read(Path file, String text) throws UserStoreException {
    UsersFile f = new UsersFile(file);
    Contents c = f.contents(text);
    if (!f.problems.isEmpty()) {
      int more = f.problems.size() - 1;
      throw new UserStoreException(
          f.problems.get(0) + (more > 0 ? " (and " + more + " more problems)" : ""));
    }
    return c;
  }

  private Contents contents(String text) {
    List<YamlNode.Key> duplicates = new ArrayList<>();
    YamlNode root;
    try {
      root = YamlNode.parse(new StringReader(text), duplicates);
    } catch (YamlNode.SyntaxError e) {
      problems.add(file + ":" + e.line() + ":" + e.column() + ": " + e.getMessage());
      return new Contents(Map.of(), true);
    } catch (IOException e) {
      problems.add(file + ": cannot read: " + e.getMessage());
      return new Contents(Map.of(), true);
    }
    for (YamlNode.Key k : duplicates) {
      problem(k.line(), k.column(), k.name(), "key given twice");
    }
    if (root instanceof YamlNode.Scalar s && s.text() == null) {
      return new Contents(Map.of(), true);
    }
    if (!(root instanceof YamlNode.Mapping top)) {
      problem(root, "", "must be a map with one key, users:, found " + root.kind());
      return new Contents(Map.of(), false);
    }
    for (Map.Entry<YamlNode.Key, YamlNode> e : top.entries().values()) {
      if (!e.getKey().name().equals("users")) {
        problem(e.getKey(), e.getKey().name(), "unknown key (the file has one key: users)");
      }
    }
    Map.Entry<YamlNode.Key, YamlNode> list = top.entries().get("users");
    if (list == null || isNull(list.getValue())) {
      return new Contents(Map.of(), problems.isEmpty());
    }
    if (!(list.getValue() instanceof YamlNode.Mapping users)) {
      problem(
          list.getValue(),
          "users",
          "must be a map of user name to settings, found " + list.getValue().kind());
      return new Contents(Map.of(), false);
    }
    Map<String, User> out = new TreeMap<>();
    for (Map.Entry<YamlNode.Key, YamlNode> e : users.entries().values()) {
      user(e.getKey(), e.getValue()).ifPresent(u -> out.put(u.name(), u));
    }
    return new Contents(out, out.isEmpty() && problems.isEmpty());
  }

  private Optional<User> user(YamlNode.Key key, YamlNode node) {
    String name = key.name();
    String path = "users." + name;
    if (!(node instanceof YamlNode.Mapping m)) {
      problem(node, path, "must be a map with password and allow, found " + node.kind());
      return Optional.empty();
    }
    int before = problems.size();
    for (Map.Entry<YamlNode.Key, YamlNode> e : m.entries().values()) {
      if (!USER_KEYS.contains(e.getKey().name())) {
        problem(
            e.getKey(),
            path + "." + e.getKey().name(),
            "unknown key (" + String.join(", ", new TreeSet<>(USER_KEYS)) + ")");
      }
    }
    String password = null;
    YamlNode pw = value(m, "password");
    if (pw == null) {
      problem(
          m, path, "password is missing; set it with: mailseal users passwd " + printable(name));
    } else {
      password = hash(pw, path + ".password");
    }
    List<SenderPattern> allowed = new ArrayList<>();
    YamlNode allow = value(m, "allow");
    if (allow instanceof YamlNode.Sequence seq) {
      for (YamlNode a : seq.items()) {
        String text = string(a, path + ".allow");
        if (text != null) {
          try {
            allowed.add(SenderPattern.parse(text));
          } catch (IllegalArgumentException ex) {
            problem(a, path + ".allow", ex.getMessage());
          }
        }
      }
    } else if (allow != null && !isNull(allow)) {
      problem(allow, path + ".allow", "must be a list of senders, found " + allow.kind());
    }
    boolean admin = bool(value(m, "admin"), path + ".admin");
    int version = integer(value(m, "credential-version"), path + ".credential-version", 1, 1);
    Optional<Instant> changed =
        Optional.ofNullable(instant(value(m, "password-changed"), path + ".password-changed"));
    List<AppPassword> apps = appPasswords(value(m, "app-passwords"), path + ".app-passwords");
    SendingLimits limits = limits(value(m, "limits"), path + ".limits");
    Optional<Suspension> suspended = suspension(value(m, "suspended"), path + ".suspended");
    if (problems.size() > before || password == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new User(name, password, allowed, admin, version, changed, apps, limits, suspended));
    } catch (IllegalArgumentException ex) {
      problem(key, path, ex.getMessage());
      return Optional.empty();
    }
  }

  private List<AppPassword> appPasswords(YamlNode node, String path) {
    List<AppPassword> out = new ArrayList<>();
    if (node == null || isNull(node)) {
      return out;
    }
    if (!(node instanceof YamlNode.Mapping m)) {
      problem(node, path, "must be a map of name to {id, password, created}, found " + node.kind());
      return out;
    }
    for (Map.Entry<YamlNode.Key, YamlNode> e : m.entries().values()) {
      String p = path + "." + e.getKey().name();
      if (!AppPassword.validName(e.getKey().name())) {
        problem(e.getKey(), p, "not an app password name (letters, digits, . _ -)");
        continue;
      }
      if (!(e.getValue() instanceof YamlNode.Mapping a)) {
        problem(e.getValue(), p, "must be a map with id, password, created");
        continue;
      }
      for (Map.Entry<YamlNode.Key, YamlNode> k : a.entries().values()) {
        if (!Set.of("id", "password", "created").contains(k.getKey().name())) {
          problem(k.getKey(), p + "." + k.getKey().name(), "unknown key (created, id, password)");
        }
      }
      String id = required(a, "id", p);
      if (id != null && !AppPasswords.isId(id)) {
        problem(value(a, "id"), p + ".id", "not an app password id");
        id = null;
      }
      YamlNode hashNode = value(a, "password");
      String hash = hashNode == null ? null : hash(hashNode, p + ".password");
      if (hashNode == null) {
        problem(a, p, "password is missing");
      }
      YamlNode createdNode = value(a, "created");
      Instant created = createdNode == null ? null : instant(createdNode, p + ".created");
      if (createdNode == null) {
        problem(a, p, "created is missing");
      }
      if (id != null && hash != null && created != null) {
        out.add(new AppPassword(e.getKey().name(), id, hash, created));
      }
    }
    return out;
  }

  private SendingLimits limits(YamlNode node, String path) {
    if (node == null || isNull(node)) {
      return SendingLimits.NONE;
    }
    if (!(node instanceof YamlNode.Mapping m)) {
      problem(node, path, "must be a map of limit to number, found " + node.kind());
      return SendingLimits.NONE;
    }
    Map<SendingLimit, Integer> values = new EnumMap<>(SendingLimit.class);
    for (Map.Entry<YamlNode.Key, YamlNode> e : m.entries().values()) {
      Optional<SendingLimit> l = SendingLimit.byKey(e.getKey().name());
      if (l.isEmpty()) {
        problem(
            e.getKey(),
            path + "." + e.getKey().name(),
            "unknown limit (messages-per-hour, messages-per-day, recipients-per-day,"
                + " first-time-recipients-per-day)");
        continue;
      }
      values.put(l.get(), integer(e.getValue(), path + "." + e.getKey().name(), 0, 0));
    }
    return new SendingLimits(values);
  }

  private Optional<Suspension> suspension(YamlNode node, String path) {
    if (node == null || isNull(node)) {
      return Optional.empty();
    }
    if (!(node instanceof YamlNode.Mapping m)) {
      problem(node, path, "must be a map with since and reason, found " + node.kind());
      return Optional.empty();
    }
    YamlNode sinceNode = value(m, "since");
    Instant since = sinceNode == null ? null : instant(sinceNode, path + ".since");
    String reason = required(m, "reason", path);
    if (sinceNode == null) {
      problem(m, path, "since is missing");
    }
    if (since == null || reason == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Suspension(since, reason));
    } catch (IllegalArgumentException ex) {
      problem(m, path, ex.getMessage());
      return Optional.empty();
    }
  }

  /** The users file's text for {@code users}. */
  static String write(Map<String, User> users) throws IOException {
    ObjectNode root = YAML.createObjectNode();
    ObjectNode list = root.putObject("users");
    for (User u : users.values()) {
      ObjectNode n = list.putObject(u.name());
      n.put("password", u.passwordHash());
      ArrayNode allow = n.putArray("allow");
      u.allowed().forEach(p -> allow.add(p.toString()));
      if (u.admin()) {
        n.put("admin", true);
      }
      if (u.credentialVersion() > 1) {
        n.put("credential-version", u.credentialVersion());
      }
      u.passwordChanged().ifPresent(t -> n.put("password-changed", t.toString()));
      if (!u.appPasswords().isEmpty()) {
        ObjectNode apps = n.putObject("app-passwords");
        for (AppPassword a : u.appPasswords()) {
          ObjectNode an = apps.putObject(a.name());
          an.put("id", a.id());
          an.put("password", a.passwordHash());
          an.put("created", a.created().toString());
        }
      }
      if (!u.limits().isEmpty()) {
        ObjectNode lim = n.putObject("limits");
        u.limits().values().forEach((k, v) -> lim.put(k.key(), v));
      }
      u.suspended()
          .ifPresent(
              s -> {
                ObjectNode sn = n.putObject("suspended");
                sn.put("since", s.since().toString());
                sn.put("reason", s.reason());
              });
    }
    return "# mailseal users: written by `mailseal users …`.\n" + YAML.writeValueAsString(root);
  }

  // --- scalars

  private String hash(YamlNode node, String path) {
    String s = string(node, path);
    if (s != null && !s.startsWith("$")) {
      problem(node, path, "must be a password hash ($argon2id$… or $2y$…), not a password");
      return null;
    }
    return s;
  }

  private String required(YamlNode.Mapping m, String key, String path) {
    YamlNode n = value(m, key);
    if (n == null) {
      problem(m, path, key + " is missing");
      return null;
    }
    return string(n, path + "." + key);
  }

  private String string(YamlNode node, String path) {
    if (node instanceof YamlNode.Scalar s && s.text() != null) {
      return s.text();
    }
    problem(node, path, "must be a text value, found " + node.kind());
    return null;
  }

  private boolean bool(YamlNode node, String path) {
    if (node == null || isNull(node)) {
      return false;
    }
    if (node instanceof YamlNode.Scalar s && !s.quotedOrString()) {
      if (s.text().equals("true")) {
        return true;
      }
      if (s.text().equals("false")) {
        return false;
      }
    }
    problem(node, path, "must be true or false, found " + describe(node));
    return false;
  }

  private int integer(YamlNode node, String path, int fallback, int min) {
    if (node == null || isNull(node)) {
      return fallback;
    }
    if (node instanceof YamlNode.Scalar s && !s.quotedOrString()) {
      try {
        int v = Integer.parseInt(s.text());
        if (v >= min) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problem(node, path, "must be a whole number of at least " + min + ", found " + describe(node));
    return fallback;
  }

  private Instant instant(YamlNode node, String path) {
    if (node == null || isNull(node)) {
      return null;
    }
    String s = string(node, path);
    if (s == null) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      problem(node, path, "must be a UTC time like 2026-12-05T10:00:00Z, found " + printable(s));
      return null;
    }
  }

  private static YamlNode value(YamlNode.Mapping m, String key) {
    Map.Entry<YamlNode.Key, YamlNode> e = m.entries().get(key);
    return e == null ? null : e.getValue();
  }

  private static boolean isNull(YamlNode n) {
    return n instanceof YamlNode.Scalar s && s.text() == null;
  }

  private static String describe(YamlNode n) {
    return n instanceof YamlNode.Scalar s && s.text() != null
        ? "\"" + printable(s.text()) + "\""
        : n.kind();
  }

  private void problem(YamlNode at, String path, String message) {
    problem(at.line(), at.column(), path, message);
  }

  private void problem(YamlNode.Key at, String path, String message) {
    problem(at.line(), at.column(), path, message);
  }

  private void problem(int line, int column, String path, String message) {
    problems.add(
        file + ":" + line + ":" + column + ": " + (path.isEmpty() ? "" : path + ": ") + message);
  }

  static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      sb.append(c >= 32 && c < 127 && c != '"' ? c : '?');
    }
    return sb.toString();
  }
}
