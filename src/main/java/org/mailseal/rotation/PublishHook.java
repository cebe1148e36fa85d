// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.mailseal.fs.AtomicFiles;
import org.mailseal.records.DnsRecord;
import org.mailseal.records.ZoneWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A domain's {@code rotation.publish-command}: when the records the domain should publish differ
 * from what the command last published, runs it with the difference on stdin ({@link
 * ZoneWriter#changes}: {@code add} and {@code remove} lists). What it published is kept in {@code
 * <stateDirectory>/<domain>.published.json} only when it exits 0, so a failure is retried at the
 * next reconcile. Records are compared by name, TTL and value (not by comment, which changes with a
 * key's state). The DNS check still gates activation: a zero exit proves nothing about DNS.
 */
public final class PublishHook {
  private static final Logger log = LoggerFactory.getLogger(PublishHook.class);

  /** How long the command may run before it is killed and counted as failed. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** What one call did. */
  public sealed interface Outcome permits Unchanged, Published, Failed {}

  /** DNS should already show what the command last published: nothing was run. */
  public record Unchanged() implements Outcome {}

  /** The command ran and exited 0. */
  public record Published(List<DnsRecord> add, List<DnsRecord> remove) implements Outcome {
    public Published {
      add = List.copyOf(add);
      remove = List.copyOf(remove);
    }
  }

  /** The command could not run, timed out or exited non-zero; retried at the next call. */
  public record Failed(String reason) implements Outcome {}

  private final List<String> command;
  private final Duration timeout;
  private final Path stateDirectory;

  /**
   * @param command argv; empty for no hook (every call is {@link Unchanged})
   * @param stateDirectory where what was published is kept (the DNS export directory)
   */
  public PublishHook(List<String> command, Duration timeout, Path stateDirectory) {
    this.command = List.copyOf(command);
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.stateDirectory = Objects.requireNonNull(stateDirectory, "stateDirectory");
  }

  /**
   * Publishes the difference between {@code desired} and what was last published for {@code
   * domain}.
   */
  public Outcome publish(String domain, List<DnsRecord> desired) {
    if (command.isEmpty()) {
      return new Unchanged();
    }
    Path state = stateDirectory.resolve(domain + ".published.json");
    List<DnsRecord> previous;
    try {
      previous = ZoneWriter.parseJson(Files.readString(state, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      previous = List.of();
    } catch (IOException | IllegalArgumentException e) {
      // Unreadable: publish everything again (adding what exists is harmless to a DNS API).
      log.warn("publish state unreadable file={} error=\"{}\"", state, e.getMessage());
      previous = List.of();
    }
    Map<String, DnsRecord> before = byIdentity(previous);
    Map<String, DnsRecord> after = byIdentity(desired);
    List<DnsRecord> add = new ArrayList<>();
    List<DnsRecord> remove = new ArrayList<>();
    after.forEach(
        (k, r) -> {
          if (!before.containsKey(k)) {
            add.add(r);
          }
        });
    before.forEach(
        (k, r) -> {
          if (!after.containsKey(k)) {
            remove.add(r);
          }
        });
    if (add.isEmpty() && remove.isEmpty()) {
      return new Unchanged();
    }
    Optional<Failed> failure =
        run(domain, ZoneWriter.changes(domain, add, remove), add.size(), remove.size());
    if (failure.isPresent()) {
      Failed f = failure.get();
      log.warn(
          "publish command failed domain={} command=\"{}\" {}; retried at the next reconcile",
          domain,
          command.get(0),
          f.reason());
      return f;
    }
    try {
      Files.createDirectories(stateDirectory);
      AtomicFiles.write(
          state,
          ZoneWriter.render(desired, ZoneWriter.Format.JSON).getBytes(StandardCharsets.UTF_8),
          PosixFilePermissions.fromString("rw-r--r--"));
    } catch (IOException e) {
      // The records are published; the next reconcile sends the same change again.
      log.warn("publish state not saved file={} error=\"{}\"", state, e.getMessage());
    }
    return new Published(add, remove);
  }

  /** Runs the command with {@code json} on stdin; empty when it exited 0. */
  private Optional<Failed> run(String domain, String json, int adds, int removes) {
    Path in = null;
    Path err = null;
    try {
      Files.createDirectories(stateDirectory);
      in = Files.createTempFile(stateDirectory, AtomicFiles.TEMP_PREFIX + "publish-", ".json");
      err = Files.createTempFile(stateDirectory, AtomicFiles.TEMP_PREFIX + "publish-", ".err");
      Files.writeString(in, json, StandardCharsets.UTF_8);
      Process p =
          new ProcessBuilder(command)
              .redirectInput(in.toFile())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return Optional.of(new Failed("timed out after " + timeout));
      }
      String stderr = firstLine(err);
      if (p.exitValue() != 0) {
        return Optional.of(new Failed("exit=" + p.exitValue() + " stderr=\"" + stderr + "\""));
      }
      log.info(
          "publish command ran domain={} command=\"{}\" add={} remove={} exit=0 stderr=\"{}\"",
          domain,
          command.get(0),
          adds,
          removes,
          stderr);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(new Failed("cannot run: " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(new Failed("interrupted"));
    } finally {
      delete(in);
      delete(err);
    }
  }

  private static String firstLine(Path file) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = r.readLine();
      return line == null ? "" : line.strip();
    } catch (java.nio.charset.CharacterCodingException e) {
      return "(not UTF-8)";
    }
  }

  private static void delete(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        log.debug("cannot delete {}: {}", p, e.getMessage());
      }
    }
  }

  private static Map<String, DnsRecord> byIdentity(List<DnsRecord> records) {
    Map<String, DnsRecord> out = new LinkedHashMap<>();
    for (DnsRecord r : records) {
      out.put(r.name() + " " + r.ttl() + " " + r.type() + " " + r.value(), r);
    }
    return out;
  }
}
