// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import com.zaxxer.hikari.HikariDataSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.mailseal.config.MailsealConfig;
import org.mailseal.config.SecretRef;
import org.mailseal.db.Database;
import org.mailseal.db.DatabaseException;
import org.mailseal.db.Migrator;
import org.mailseal.db.QuartzCluster;
import org.mailseal.keys.KeyEncryptionKey;
import org.mailseal.keys.KeyStore;
import org.mailseal.keys.PgKeyStore;
import org.mailseal.reports.PgReportStore;
import org.mailseal.reports.ReportStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared PostgreSQL of cluster mode, opened from the {@code cluster:} section: one pool, the
 * schema migrated to this build's version, the key store in it and Quartz's job store over the same
 * pool. Used by {@code serve} and by every {@code keys} and {@code dns} command, so they all see
 * the same keys. Every failure is a one-line {@link RelayException} that names the setting, never a
 * secret.
 */
public final class Cluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);

  private final HikariDataSource pool;
  private final KeyStore keys;

  private Cluster(HikariDataSource pool, KeyStore keys) {
    this.pool = pool;
    this.keys = keys;
  }

  /** Reads the secrets, connects, migrates; the pool is closed again if a later step fails. */
  public static Cluster open(MailsealConfig.Cluster c, Clock clock, SecureRandom random)
      throws RelayException {
    KeyEncryptionKey kek;
    try {
      kek = KeyEncryptionKey.parse(c.keyEncryptionKey().resolve());
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new RelayException(
          RelayException.Kind.CONFIGURATION, "cluster: key-encryption key: " + e.getMessage());
    }
    Optional<String> password;
    try {
      password = c.password().map(SecretRef::resolve);
    } catch (IllegalStateException e) {
      throw new RelayException(
          RelayException.Kind.CONFIGURATION, "cluster: database password: " + e.getMessage());
    }
    HikariDataSource pool;
    try {
      pool = Database.open(c.database(), c.username(), password, c.poolSize(), "mailseal");
    } catch (DatabaseException e) {
      throw new RelayException(RelayException.Kind.UNAVAILABLE, "cluster: " + e.getMessage(), e);
    }
    try {
      Migrator migrator = new Migrator(pool);
      migrator.migrate();
      log.info("cluster database url=\"{}\" schema={}", c.database(), migrator.version());
    } catch (DatabaseException | RuntimeException e) {
      pool.close();
      throw new RelayException(RelayException.Kind.UNAVAILABLE, "cluster: " + e.getMessage(), e);
    }
    return new Cluster(pool, new PgKeyStore(pool, kek, random, clock));
  }

  public KeyStore keys() {
    return keys;
  }

  DataSource pool() {
    return pool;
  }

  /** The DMARC report store in the cluster's database, shared by every node. */
  public ReportStore reports(Clock clock) {
    return new PgReportStore(pool, clock);
  }

  /**
   * Quartz properties for this node's scheduler: the clustered JDBC job store over our pool, under
   * an instance id of this host and run ({@code <hostname>-<6 hex digits>}), unique in the cluster.
   */
  Properties quartz(SecureRandom random) {
    return QuartzCluster.jobStore(pool, instanceId(random));
  }

  static String instanceId(SecureRandom random) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "node";
    }
    return host + "-" + HexFormat.of().toHexDigits(random.nextInt()).substring(2);
  }

  @Override
  public void close() {
    pool.close();
  }
}
