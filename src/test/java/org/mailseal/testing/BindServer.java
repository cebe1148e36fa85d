// SPDX-License-Identifier: Apache-2.0
package org.mailseal.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A private BIND 9 ({@code named -g}) for tests: the primary of the given zones on a free port of
 * 127.0.0.1 (UDP and TCP), in its own directory, with one TSIG key (hmac-sha256, random secret)
 * that may update only TXT records at {@code _domainkey} names and at {@code _acme-challenge}
 * names, as the README tells operators to set it up. Stop it with {@link #close()}. Without {@code
 * named} (Debian package {@code bind9}) the calling test is skipped, saying so.
 */
public final class BindServer implements AutoCloseable {
  /** The TSIG key's name, as {@code tsig-keygen mailseal.} would write it. */
  public static final String KEY_NAME = "mailseal.";

  private final Process process;
  private final Path directory;
  private final int port;
  private final String secret;

  private BindServer(Process process, Path directory, int port, String secret) {
    this.process = process;
    this.directory = directory;
    this.port = port;
    this.secret = secret;
  }

  /** The {@code named} binary, if installed. */
  static Optional<Path> named() {
    for (String p : List.of("/usr/sbin/named", "/usr/local/sbin/named")) {
      if (Files.isExecutable(Path.of(p))) {
        return Optional.of(Path.of(p));
      }
    }
    return Optional.empty();
  }

  /** Starts BIND as the primary of each of {@code zones}, empty but for SOA and NS. */
  public static BindServer start(Path directory, String... zones) throws IOException {
    return builder(directory).zones(zones).start();
  }

  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** What the server serves and who may change it. */
  public static final class Builder {
    private final Path directory;
    private final Map<String, String> zones = new LinkedHashMap<>();
    private final List<String> extraGrants = new ArrayList<>();
    private final List<String> acmeHosts = new ArrayList<>(List.of("", "mail."));

    Builder(Path directory) {
      this.directory = directory;
    }

    /** Zones with no records but SOA and NS. */
    public Builder zones(String... names) {
      for (String n : names) {
        zones.put(n, "");
      }
      return this;
    }

    /** A zone with {@code records} (zone-file lines, relative to the zone) after SOA and NS. */
    public Builder zone(String name, String records) {
      zones.put(name, records);
      return this;
    }

    /**
     * An {@code update-policy} rule more for the key, in BIND syntax after {@code grant KEY}, e.g.
     * {@code "name example.com. TXT"} to let it write the domain's own TXT (SPF).
     */
    public Builder grant(String rule) {
      extraGrants.add(rule);
      return this;
    }

    public BindServer start() throws IOException {
      Optional<Path> named = named();
      assumeTrue(
          named.isPresent(),
          "SKIPPED: BIND's named not found (install the Debian package bind9): the RFC 2136"
              + " update tests need a real primary server");
      Files.createDirectories(directory);
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      String secret = Base64.getEncoder().encodeToString(key);
      int port = freePort();
      StringBuilder conf = new StringBuilder();
      conf.append("key \"")
          .append(KEY_NAME)
          .append("\" {\n  algorithm hmac-sha256;\n  secret \"")
          .append(secret)
          .append("\";\n};\n");
      conf.append("options {\n")
          .append("  directory \"")
          .append(directory.toAbsolutePath())
          .append("\";\n")
          .append("  listen-on port ")
          .append(port)
          .append(" { 127.0.0.1; };\n")
          .append("  listen-on-v6 { none; };\n")
          .append("  pid-file none;\n  session-keyfile none;\n")
          .append("  recursion no;\n  dnssec-validation no;\n  notify no;\n")
          .append("};\ncontrols { };\n");
      for (Map.Entry<String, String> z : zones.entrySet()) {
        String origin = z.getKey();
        String file = origin + ".zone";
        Files.writeString(
            directory.resolve(file),
            "$ORIGIN "
                + origin
                + ".\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\n"
                + "ns1 IN A 127.0.0.1\n"
                + z.getValue(),
            StandardCharsets.UTF_8);
        conf.append("zone \"")
            .append(origin)
            .append("\" {\n  type primary;\n  file \"")
            .append(file)
            .append("\";\n  update-policy {\n");
        // RFC 2136 writes limited to DKIM keys and ACME challenges, as the README advises.
        conf.append("    grant ")
            .append(KEY_NAME)
            .append(" subdomain _domainkey.")
            .append(origin)
            .append(". TXT;\n");
        for (String host : acmeHosts) {
          conf.append("    grant ")
              .append(KEY_NAME)
              .append(" name _acme-challenge.")
              .append(host)
              .append(origin)
              .append(". TXT;\n");
        }
        for (String g : extraGrants) {
          conf.append("    grant ").append(KEY_NAME).append(' ').append(g).append(";\n");
        }
        conf.append("  };\n};\n");
      }
      Path confFile = directory.resolve("named.conf");
      Files.writeString(confFile, conf.toString(), StandardCharsets.UTF_8);
      Process p =
          new ProcessBuilder(named.get().toString(), "-g", "-c", confFile.toString())
              .redirectErrorStream(true)
              .redirectOutput(directory.resolve("named.log").toFile())
              .start();
      BindServer server = new BindServer(p, directory, port, secret);
      try {
        Awaitility.await("named answering on 127.0.0.1:" + port)
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> !p.isAlive() || server.answers(zones.keySet().iterator().next()));
        if (!p.isAlive()) {
          throw new IOException("named exited: " + server.log());
        }
      } catch (RuntimeException | IOException e) {
        server.close();
        throw e;
      }
      return server;
    }
  }

  private boolean answers(String zone) {
    try {
      SimpleResolver r = new SimpleResolver(address());
      r.setTCP(true);
      r.setTimeout(Duration.ofSeconds(1));
      Message m =
          r.send(
              Message.newQuery(Record.newRecord(Name.fromString(zone + "."), Type.SOA, DClass.IN)));
      return m.getRcode() == Rcode.NOERROR && m.getSection(1).size() == 1;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port free for both UDP and TCP on 127.0.0.1. */
  private static int freePort() throws IOException {
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    for (int i = 0; i < 50; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, lo)) {
        int port = s.getLocalPort();
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(lo, port))) {
          return port;
        } catch (IOException e) {
          // taken for UDP: try another
        }
      }
    }
    throw new IOException("no free port for UDP and TCP on 127.0.0.1");
  }

  public int port() {
    return port;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** {@code 127.0.0.1:PORT}. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** The TSIG key's secret, base64 as in {@code named.conf}. */
  public String secret() {
    return secret;
  }

  /** What named printed so far (for failure messages). */
  public String log() {
    try {
      return Files.readString(directory.resolve("named.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
