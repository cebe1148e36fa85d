// SPDX-License-Identifier: Apache-2.0
package org.mailseal.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.util.Optional;

/**
 * Opens the connection pool of cluster mode. The pool fails at once, with the database's own
 * reason, when the database cannot be reached or refuses the login, so {@code serve} and the {@code
 * keys} commands stop with one clear line instead of waiting.
 */
public final class Database {
  private Database() {}

  /**
   * A pool of at most {@code poolSize} connections to {@code url}.
   *
   * @param name names the pool in logs and metrics
   * @throws DatabaseException naming the URL (never the password) when no connection can be made
   */
  public static HikariDataSource open(
      String url, String username, Optional<String> password, int poolSize, String name)
      throws DatabaseException {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setUsername(username);
    password.ifPresent(c::setPassword);
    c.setMaximumPoolSize(poolSize);
    c.setMinimumIdle(Math.min(2, poolSize));
    c.setPoolName(name);
    c.setConnectionTimeout(10_000);
    c.setInitializationFailTimeout(1);
    try {
      return new HikariDataSource(c);
    } catch (HikariPool.PoolInitializationException | IllegalArgumentException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new DatabaseException(
          "cannot connect to the database " + url + ": " + cause.getMessage(), e);
    }
  }
}
