// SPDX-License-Identifier: Apache-2.0
/**
 * The shared PostgreSQL of cluster mode: the connection pool ({@link org.mailseal.db.Database}),
 * the schema and its versioned migrations ({@link org.mailseal.db.Migrator}, scripts under {@code
 * db/migration/}), and Quartz's clustered JDBC job store over the same pool ({@link
 * org.mailseal.db.QuartzCluster}). What is stored in the tables belongs to the parts that use them
 * ({@code keys}, {@code rotation}).
 */
package org.mailseal.db;
