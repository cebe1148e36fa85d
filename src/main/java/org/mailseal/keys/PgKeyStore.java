// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.mailseal.dkim.DkimKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key store of cluster mode: keys in PostgreSQL ({@code dkim_keys}, made by the migration
 * {@code V1__keys.sql}), shared by every node, with the same rules as {@link FileKeyStore} (see
 * {@link KeyRules}).
 *
 * <p>Every change is one transaction that first locks the domain's row in {@code dkim_domains}
 * ({@code SELECT ... FOR UPDATE}), then reads the domain's keys and writes what changed: two nodes
 * activating at the same moment take turns, and the second sees the first's ACTIVE key (and retires
 * it, or is refused). A unique index keeps one ACTIVE key per domain and algorithm even against a
 * writer that skips the lock. Private keys are stored as PKCS#8 sealed with AES-256-GCM under the
 * {@link KeyEncryptionKey}, with {@code "<domain> <selector>"} as associated data. Instants are
 * kept to the microsecond, as PostgreSQL stores them.
 */
public final class PgKeyStore implements KeyStore {
  private static final Logger log = LoggerFactory.getLogger(PgKeyStore.class);

  private static final String COLUMNS =
      "domain, selector, algorithm, bits, state, created, activated, retired, revoked, record";

  private final DataSource db;
  private final KeyEncryptionKey kek;
  private final SecureRandom random;
  private final Clock clock;

  /**
   * @param db a pool on a database migrated to at least {@code V1}
   */
  public PgKeyStore(DataSource db, KeyEncryptionKey kek, SecureRandom random, Clock clock) {
    this.db = db;
    this.kek = kek;
    this.random = random;
    this.clock = clock;
  }

  @Override
  public List<DkimKey> list() throws KeyStoreException {
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT "
                    + COLUMNS
                    + " FROM dkim_keys ORDER BY domain COLLATE \"C\", created,"
                    + " selector COLLATE \"C\"")) {
      return keys(s);
    } catch (SQLException e) {
      throw storage("", "", "cannot list keys", e);
    }
  }

  @Override
  public List<DkimKey> list(String domain) throws KeyStoreException {
    String d = DkimKey.domainName(domain);
    try (Connection c = db.getConnection()) {
      return read(c, d, false);
    } catch (SQLException e) {
      throw storage(d, "", "cannot list keys", e);
    }
  }

  @Override
  public Optional<DkimKey> find(String domain, Selector selector) throws KeyStoreException {
    return list(domain).stream().filter(k -> k.selector().equals(selector)).findFirst();
  }

  @Override
  public DkimKey add(String domain, Selector selector, PrivateKey key, KeyState state)
      throws KeyStoreException {
    String d = DkimKey.domainName(domain);
    DkimKey pending = KeyRules.pending(d, selector, key, now());
    byte[] der = key.getEncoded();
    byte[] sealed = kek.seal(der, associatedData(d, selector), random);
    Arrays.fill(der, (byte) 0);
    DkimKey stored =
        inTransaction(
            d,
            selector,
            "cannot store key",
            c -> {
              List<DkimKey> before = lockAndRead(c, d);
              List<DkimKey> after = KeyRules.add(before, pending, state, pending.created());
              update(c, before, after); // first, so an ACTIVE key it replaces is RETIRED
              DkimKey added = KeyRules.find(after, selector);
              try (PreparedStatement s =
                  c.prepareStatement(
                      "INSERT INTO dkim_keys ("
                          + COLUMNS
                          + ", private_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bind(s, added);
                s.setBytes(11, sealed);
                s.executeUpdate();
              }
              return added;
            });
    log.info(
        "key added domain={} selector={} algorithm={} bits={} state={}",
        d,
        selector,
        stored.algorithm().tag(),
        stored.bits(),
        stored.state());
    return stored;
  }

  @Override
  public PrivateKey privateKey(String domain, Selector selector) throws KeyStoreException {
    String d = DkimKey.domainName(domain);
    byte[] sealed;
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT private_key FROM dkim_keys WHERE domain = ? AND selector = ?")) {
      s.setString(1, d);
      s.setString(2, selector.value());
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          throw new KeyStoreException.NoSuchKey(d, selector.value());
        }
        sealed = r.getBytes(1);
      }
    } catch (SQLException e) {
      throw storage(d, selector.value(), "cannot read key", e);
    }
    byte[] der;
    try {
      der = kek.open(sealed, associatedData(d, selector));
    } catch (GeneralSecurityException e) {
      throw new KeyStoreException.Storage(
          d,
          selector.value(),
          "cannot decrypt the private key "
              + selector
              + " of "
              + d
              + ": the key-encryption key (cluster kek-file or kek-env) is not the one it was"
              + " stored with, or the row was altered",
          null);
    }
    try {
      return PemKeys.fromPkcs8Der(der, "key " + selector + " of " + d);
    } catch (KeyFormatException e) {
      throw new KeyStoreException.Storage(d, selector.value(), e.getMessage(), e);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  @Override
  public DkimKey transition(String domain, Selector selector, KeyState to)
      throws KeyStoreException {
    String d = DkimKey.domainName(domain);
    List<List<DkimKey>> change = new ArrayList<>();
    DkimKey moved =
        inTransaction(
            d,
            selector,
            "cannot update keys",
            c -> {
              List<DkimKey> before = lockAndRead(c, d);
              List<DkimKey> after = KeyRules.transition(d, before, selector, to, now());
              update(c, before, after);
              change.clear();
              change.add(before);
              change.add(after);
              return KeyRules.find(after, selector);
            });
    KeyRules.logChanges(d, change.get(0), change.get(1));
    return moved;
  }

  /** One change, in a transaction of its own. */
  private interface Change {
    DkimKey apply(Connection c) throws SQLException, KeyStoreException;
  }

  private DkimKey inTransaction(String d, Selector selector, String what, Change change)
      throws KeyStoreException {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        DkimKey result = change.apply(c);
        c.commit();
        return result;
      } catch (SQLException | KeyStoreException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw storage(d, selector.value(), what, e);
    }
  }

  /** Locks the domain's row (making it on its first key), then reads its keys. */
  private static List<DkimKey> lockAndRead(Connection c, String d) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO dkim_domains (domain) VALUES (?) ON CONFLICT (domain) DO NOTHING")) {
      s.setString(1, d);
      s.executeUpdate();
    }
    try (PreparedStatement s =
        c.prepareStatement("SELECT domain FROM dkim_domains WHERE domain = ? FOR UPDATE")) {
      s.setString(1, d);
      s.executeQuery().close();
    }
    return read(c, d, true);
  }

  private static List<DkimKey> read(Connection c, String d, boolean forUpdate) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM dkim_keys WHERE domain = ? ORDER BY created, selector COLLATE \"C\""
                + (forUpdate ? " FOR UPDATE" : ""))) {
      s.setString(1, d);
      return keys(s);
    }
  }

  /**
   * Writes the keys whose state changed; the one leaving ACTIVE first, so the index of ACTIVE keys
   * never sees two.
   */
  private static void update(Connection c, List<DkimKey> before, List<DkimKey> after)
      throws SQLException {
    List<DkimKey> changed = new ArrayList<>();
    for (DkimKey k : after) {
      if (before.contains(k) || !before.stream().anyMatch(b -> b.selector().equals(k.selector()))) {
        continue; // unchanged, or the new key (inserted by the caller)
      }
      changed.add(k);
    }
    changed.sort(
        (a, b) -> Boolean.compare(a.state() == KeyState.ACTIVE, b.state() == KeyState.ACTIVE));
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE dkim_keys SET state = ?, activated = ?, retired = ?, revoked = ?"
                + " WHERE domain = ? AND selector = ?")) {
      for (DkimKey k : changed) {
        s.setString(1, k.state().name());
        s.setObject(2, timestamp(k.activatedAt()));
        s.setObject(3, timestamp(k.retiredAt()));
        s.setObject(4, timestamp(k.revokedAt()));
        s.setString(5, k.domain());
        s.setString(6, k.selector().value());
        s.executeUpdate();
      }
    }
  }

  private static void bind(PreparedStatement s, DkimKey k) throws SQLException {
    s.setString(1, k.domain());
    s.setString(2, k.selector().value());
    s.setString(3, k.algorithm().tag());
    s.setInt(4, k.bits());
    s.setString(5, k.state().name());
    s.setObject(6, timestamp(k.created()));
    s.setObject(7, timestamp(k.activatedAt()));
    s.setObject(8, timestamp(k.retiredAt()));
    s.setObject(9, timestamp(k.revokedAt()));
    s.setString(10, k.record().render());
  }

  private static List<DkimKey> keys(PreparedStatement s) throws SQLException {
    List<DkimKey> out = new ArrayList<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        String domain = r.getString(1);
        String selector = r.getString(2);
        try {
          out.add(
              new DkimKey(
                  domain,
                  new Selector(selector),
                  KeyAlgorithm.parse(r.getString(3)),
                  r.getInt(4),
                  KeyState.valueOf(r.getString(5)),
                  instant(r, 6),
                  instant(r, 7),
                  instant(r, 8),
                  instant(r, 9),
                  DkimKeyRecord.parse(r.getString(10))));
        } catch (RuntimeException e) {
          throw new SQLException(
              "bad row for key " + selector + " of " + domain + ": " + e.getMessage(), e);
        }
      }
    }
    return out;
  }

  private static Instant instant(ResultSet r, int column) throws SQLException {
    OffsetDateTime t = r.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static OffsetDateTime timestamp(Instant t) {
    return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  /** PostgreSQL keeps microseconds: a key returned must equal the key read back. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static byte[] associatedData(String domain, Selector selector) {
    return (domain + " " + selector.value()).getBytes(StandardCharsets.US_ASCII);
  }

  private static KeyStoreException storage(
      String domain, String selector, String what, SQLException e) {
    return new KeyStoreException.Storage(
        domain,
        selector,
        what
            + (domain.isEmpty() ? "" : " of " + domain)
            + ": database: "
            + e.getMessage()
            + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")"),
        e);
  }
}
