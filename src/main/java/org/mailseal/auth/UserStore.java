// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mailseal.fs.AtomicFiles;
import org.mailseal.policy.SenderPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users file ({@code var/users.yaml} by default): each user's password hash and allowed
 * senders. Written whole and atomically (mode 0600) by {@code mailseal users}; read again by a
 * running server when it changes, so a new user or password works without a restart. A file that no
 * longer parses keeps the previous users in use and is logged.
 *
 * <pre>
 * users:
 *   alice@example.com:
 *     password: $argon2id$v=19$m=19456,t=2,p=1$…
 *     allow: [alice@example.com, "*.example.com"]
 * </pre>
 */
public final class UserStore {
  private static final Logger log = LoggerFactory.getLogger(UserStore.class);
  private static final Duration RECHECK = Duration.ofSeconds(1);
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private final Path file;
  private final Clock clock;
  private volatile Snapshot snapshot = new Snapshot(Map.of(), "", Instant.MIN);

  private record Snapshot(Map<String, User> users, String stamp, Instant checked) {}

  public UserStore(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  public Path file() {
    return file;
  }

  /**
   * Reads the file now; a missing file means no users.
   *
   * @throws UserStoreException naming the file and what is wrong
   */
  public synchronized Map<String, User> load() throws UserStoreException {
    String stamp = stamp();
    Map<String, User> users = parse();
    snapshot = new Snapshot(users, stamp, clock.instant());
    return users;
  }

  /** The user named {@code name} as the file says now (re-read when it changed). */
  public Optional<User> find(String name) {
    return Optional.ofNullable(current().get(name.strip().toLowerCase(java.util.Locale.ROOT)));
  }

  /** Every user, by name, as the file says now. */
  public Map<String, User> current() {
    Snapshot s = snapshot;
    Instant now = clock.instant();
    if (now.isBefore(s.checked().plus(RECHECK))) {
      return s.users();
    }
    synchronized (this) {
      s = snapshot;
      try {
        String stamp = stamp();
        if (stamp.equals(s.stamp())) {
          snapshot = new Snapshot(s.users(), stamp, now);
        } else {
          snapshot = new Snapshot(parse(), stamp, now);
          log.info("users reloaded file={} users={}", file, snapshot.users().size());
        }
      } catch (UserStoreException e) {
        log.warn("users file not reloaded, the previous users stay in use: {}", e.getMessage());
        snapshot = new Snapshot(s.users(), s.stamp(), now);
      }
      return snapshot.users();
    }
  }

  /** Adds or replaces {@code user} and writes the file. */
  public synchronized void put(User user) throws UserStoreException {
    Map<String, User> users = new TreeMap<>(parse());
    users.put(user.name(), user);
    write(users);
  }

  /**
   * Removes the user and writes the file.
   *
   * @return whether there was such a user
   */
  public synchronized boolean remove(String name) throws UserStoreException {
    Map<String, User> users = new TreeMap<>(parse());
    if (users.remove(name.strip().toLowerCase(java.util.Locale.ROOT)) == null) {
      return false;
    }
    write(users);
    return true;
  }

  private String stamp() throws UserStoreException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return a.lastModifiedTime().toMillis() + ":" + a.size() + ":" + a.fileKey();
    } catch (NoSuchFileException e) {
      return "none";
    } catch (IOException e) {
      throw new UserStoreException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private Map<String, User> parse() throws UserStoreException {
    JsonNode root;
    try {
      if (!Files.exists(file)) {
        return Map.of();
      }
      root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UserStoreException(file + ": not valid YAML: " + firstLine(e.getMessage()), e);
    }
    Map<String, User> users = new TreeMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return users;
    }
    JsonNode list = root.get("users");
    if (list == null || list.isNull()) {
      return users;
    }
    if (!list.isObject()) {
      throw new UserStoreException(file + ": users: must be a map of user name to settings");
    }
    Iterator<Map.Entry<String, JsonNode>> it = list.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode u = e.getValue();
      String where = file + ": users." + name;
      if (u == null || !u.isObject()) {
        throw new UserStoreException(where + ": must be a map with password and allow");
      }
      JsonNode pw = u.get("password");
      if (pw == null || !pw.isTextual() || !pw.asText().startsWith("$")) {
        throw new UserStoreException(
            where
                + ".password: must be a password hash; set it with: mailseal users passwd "
                + name);
      }
      List<SenderPattern> allowed = new ArrayList<>();
      JsonNode allow = u.get("allow");
      if (allow != null && allow.isArray()) {
        for (JsonNode a : allow) {
          try {
            allowed.add(SenderPattern.parse(a.asText()));
          } catch (IllegalArgumentException ex) {
            throw new UserStoreException(where + ".allow: " + ex.getMessage());
          }
        }
      } else if (allow != null) {
        throw new UserStoreException(where + ".allow: must be a list of senders");
      }
      for (Iterator<String> keys = u.fieldNames(); keys.hasNext(); ) {
        String k = keys.next();
        if (!k.equals("password") && !k.equals("allow")) {
          throw new UserStoreException(where + "." + k + ": unknown key (password, allow)");
        }
      }
      try {
        User user = new User(name, pw.asText(), allowed);
        users.put(user.name(), user);
      } catch (IllegalArgumentException ex) {
        throw new UserStoreException(where + ": " + ex.getMessage());
      }
    }
    return users;
  }

  private void write(Map<String, User> users) throws UserStoreException {
    ObjectNode root = YAML.createObjectNode();
    ObjectNode list = root.putObject("users");
    for (User u : users.values()) {
      ObjectNode n = list.putObject(u.name());
      n.put("password", u.passwordHash());
      ArrayNode allow = n.putArray("allow");
      u.allowed().forEach(p -> allow.add(p.toString()));
    }
    try {
      String text =
          "# mailseal users: written by `mailseal users add|passwd|remove`.\n"
              + YAML.writeValueAsString(root);
      if (file.getParent() != null) {
        AtomicFiles.createPrivateDirectories(file.getParent());
      }
      AtomicFiles.writePrivate(file, text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UserStoreException(file + ": cannot write: " + e.getMessage(), e);
    }
    snapshot = new Snapshot(Map.copyOf(users), stamp(), clock.instant());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
