// SPDX-License-Identifier: Apache-2.0
package org.mailseal.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz's clustered JDBC job store over our pool: the properties that make a scheduler keep its
 * jobs and triggers in PostgreSQL (tables of {@link Migrator}'s step 2) and share them with every
 * node, so a trigger fires on exactly one node.
 *
 * <p>Quartz looks data sources up by name in its JVM-wide {@link DBConnectionManager}; we register
 * our pool there under a name of this node ({@code mailseal-<instanceId>}) rather than let Quartz
 * build a second pool from a URL and password. Every node's scheduler has the same name, {@link
 * #CLUSTER_NAME}: Quartz writes it in every row ({@code SCHED_NAME}) and nodes of one name share
 * their jobs; the instance id tells the nodes apart. (Quartz sets the job store's name from the
 * scheduler's, so the two cannot differ.)
 */
public final class QuartzCluster {
  /** The name of every node's scheduler, and so of the cluster in the Quartz tables. */
  public static final String CLUSTER_NAME = "mailseal-rotation";

  private QuartzCluster() {}

  /**
   * The job-store properties of node {@code instanceId}, its data source registered with Quartz.
   *
   * @param instanceId unique among the nodes, and stable for as long as this node runs
   */
  public static Properties jobStore(DataSource db, String instanceId) {
    String dataSource = "mailseal-" + instanceId;
    DBConnectionManager.getInstance().addConnectionProvider(dataSource, new PoolProvider(db));
    Properties p = new Properties();
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, CLUSTER_NAME);
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, instanceId);
    p.setProperty(
        StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dataSource);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    // How soon a node notices that another died and takes over its fired triggers.
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "7500");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    return p;
  }

  /** Our pool, as Quartz asks for connections; closing the pool is its owner's job. */
  private record PoolProvider(DataSource db) implements ConnectionProvider {
    @Override
    public Connection getConnection() throws SQLException {
      return db.getConnection();
    }

    @Override
    public void shutdown() {
      // The pool outlives the scheduler: the key store uses it too.
    }

    @Override
    public void initialize() {}
  }
}
