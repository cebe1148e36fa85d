// SPDX-License-Identifier: Apache-2.0
package org.mailseal.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A private PostgreSQL server for tests, made from Debian's binaries ({@code
 * /usr/lib/postgresql/<version>/bin}): a fresh data directory under the temp directory, trust
 * authentication, listening on a free port of 127.0.0.1 only, {@code fsync} off. It never touches a
 * system cluster (Debian's {@code postgresql} package makes one on port 5432; we do not use it).
 *
 * <p>PostgreSQL refuses to run as root, so when the JVM is root (as in CI) initdb and the server
 * run as the {@code postgres} OS user through {@code runuser}, in a directory owned by it.
 *
 * <p>Use it through {@link Extension}: one server for the whole test run, stopped at its end, and
 * {@link #createDatabase()} for an empty database per test. Without the binaries the tests are
 * skipped, saying what to install.
 */
public final class PostgresServer implements AutoCloseable {
  private static final String SUPERUSER = "postgres";

  private final Path base;
  private final Path bin;
  private final boolean asPostgresUser;
  private final int port;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresServer(Path base, Path bin, boolean asPostgresUser, int port) {
    this.base = base;
    this.bin = bin;
    this.asPostgresUser = asPostgresUser;
    this.port = port;
  }

  /** The newest installed {@code bin} directory with initdb and pg_ctl, if any. */
  static Optional<Path> binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparing(PostgresServer::majorVersion));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Initializes and starts a server; aborts the calling test when PostgreSQL is missing. */
  public static PostgresServer start() throws IOException, InterruptedException {
    Optional<Path> bin = binaries();
    assumeTrue(
        bin.isPresent(),
        "PostgreSQL binaries missing (/usr/lib/postgresql/*/bin/initdb): apt-get install"
            + " postgresql");
    boolean root = "root".equals(System.getProperty("user.name"));
    Path base = Files.createTempDirectory("mailseal-pg");
    if (root) {
      run(List.of("chown", SUPERUSER + ":", base.toString()), base, false);
    }
    int port = freePort();
    PostgresServer pg = new PostgresServer(base, bin.get(), root, port);
    try {
      pg.postgres(
          "initdb",
          "-D",
          pg.data().toString(),
          "-U",
          SUPERUSER,
          "--auth=trust",
          "--encoding=UTF8",
          "--no-locale",
          "--no-sync");
      pg.postgres(
          "pg_ctl",
          "-D",
          pg.data().toString(),
          "-l",
          base.resolve("server.log").toString(),
          "-w",
          "-t",
          "60",
          "-o",
          "-p "
              + port
              + " -c listen_addresses=127.0.0.1 -c unix_socket_directories="
              + base
              + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
              + " -c max_connections=200",
          "start");
    } catch (IOException | RuntimeException e) {
      pg.close();
      throw e;
    }
    return pg;
  }

  private Path data() {
    return base.resolve("data");
  }

  public int port() {
    return port;
  }

  /** The JDBC URL of {@code database} on this server. */
  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** The superuser every connection uses (trust authentication: no password). */
  public String user() {
    return SUPERUSER;
  }

  /** A new, empty database; returns its JDBC URL. */
  public String createDatabase() throws SQLException {
    String name = "test" + databases.incrementAndGet();
    try (Connection c = DriverManager.getConnection(url("postgres"), SUPERUSER, "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return url(name);
  }

  /** The server's log, for a failing test's message. */
  public String log() {
    try {
      return Files.readString(base.resolve("server.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no server log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      if (Files.exists(data().resolve("postmaster.pid"))) {
        postgres("pg_ctl", "-D", data().toString(), "-m", "immediate", "-w", "stop");
      }
    } finally {
      deleteTree(base);
    }
  }

  private void postgres(String tool, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (asPostgresUser) {
      cmd.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
    }
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(List.of(args));
    run(cmd, base, true);
  }

  private static void run(List<String> cmd, Path dir, boolean quietOutput)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(
                quietOutput
                    ? ProcessBuilder.Redirect.appendTo(dir.resolve("tools.log").toFile())
                    : ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + ": no answer within 120 s");
    }
    if (p.exitValue() != 0) {
      String out = "";
      Path log = dir.resolve("tools.log");
      if (Files.exists(log)) {
        out = Files.readString(log, StandardCharsets.UTF_8);
      }
      throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path e : entries) {
          deleteTree(e);
        }
      }
    }
    Files.delete(dir);
  }

  /**
   * Hands a test a {@link PostgresServer} parameter: one server for the whole run, started on first
   * use and stopped when the run ends.
   */
  public static final class Extension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
      return p.getParameter().getType() == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
      return c.getRoot()
          .getStore(ExtensionContext.Namespace.create(PostgresServer.class))
          .getOrComputeIfAbsent(PostgresServer.class, k -> started(), PostgresServer.class);
    }

    private static PostgresServer started() {
      try {
        return start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot start PostgreSQL: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted starting PostgreSQL", e);
      }
    }
  }
}
