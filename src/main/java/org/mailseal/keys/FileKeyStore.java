// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.fs.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key store of the embedded default: one directory per domain under the root, holding each
 * private key as {@code <selector>.<algorithm>.pem} (PKCS#8, mode 0600; directory 0700) and an
 * index {@code keys.json} with every key's state and dates and its public record.
 *
 * <p>Every write is atomic ({@link AtomicFiles}); a new key's PEM is written before the index names
 * it, so a crash leaves at worst a PEM that no index names, which is ignored (and reported) until a
 * later {@code add} of the same selector overwrites it. Changes from several processes (the {@code
 * keys} commands while {@code serve} runs) are serialized by a lock on {@code .lock} in the root;
 * reads always go to the files, so every process sees the current state.
 */
public final class FileKeyStore implements KeyStore {
  private static final Logger log = LoggerFactory.getLogger(FileKeyStore.class);
  private static final String INDEX = "keys.json";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private final Path root;
  private final Clock clock;

  public FileKeyStore(Path root, Clock clock) {
    this.root = root;
    this.clock = clock;
  }

  /** One line of the index, as stored. */
  record Entry(
      String selector,
      String algorithm,
      int bits,
      String state,
      String created,
      String activated,
      String retired,
      String revoked,
      String record) {}

  /** The index file of one domain. */
  record Index(List<Entry> keys) {
    Index {
      keys = keys == null ? List.of() : List.copyOf(keys);
    }
  }

  @Override
  public List<DkimKey> list() throws KeyStoreException {
    List<DkimKey> all = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return all;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
      List<String> domains = new ArrayList<>();
      for (Path d : dirs) {
        domains.add(d.getFileName().toString());
      }
      domains.sort(Comparator.naturalOrder());
      for (String d : domains) {
        all.addAll(read(d));
      }
    } catch (IOException e) {
      throw new KeyStoreException.Storage("", "", "cannot list " + root + ": " + reason(e), e);
    }
    return all;
  }

  @Override
  public List<DkimKey> list(String domain) throws KeyStoreException {
    return read(DkimKey.domainName(domain));
  }

  @Override
  public Optional<DkimKey> find(String domain, Selector selector) throws KeyStoreException {
    return list(domain).stream().filter(k -> k.selector().equals(selector)).findFirst();
  }

  @Override
  public synchronized DkimKey add(String domain, Selector selector, PrivateKey key, KeyState state)
      throws KeyStoreException {
    String d = DkimKey.domainName(domain);
    try (FileLock lock = lock()) {
      DkimKey pending = KeyRules.pending(d, selector, key, clock.instant());
      List<DkimKey> keys = KeyRules.add(read(d), pending, state, pending.created());
      Path dir = root.resolve(d);
      AtomicFiles.createPrivateDirectories(root);
      AtomicFiles.createPrivateDirectories(dir);
      AtomicFiles.writePrivate(
          pemPath(d, selector, pending.algorithm()),
          PemKeys.toPkcs8Pem(key).getBytes(StandardCharsets.US_ASCII));
      write(d, keys);
      DkimKey added = KeyRules.find(keys, selector);
      log.info(
          "key added domain={} selector={} algorithm={} bits={} state={}",
          d,
          selector,
          added.algorithm().tag(),
          added.bits(),
          added.state());
      return added;
    } catch (IOException e) {
      throw new KeyStoreException.Storage(d, selector.value(), "cannot store key: " + reason(e), e);
    }
  }

  @Override
  public PrivateKey privateKey(String domain, Selector selector) throws KeyStoreException {
    String d = DkimKey.domainName(domain);
    DkimKey key =
        find(d, selector).orElseThrow(() -> new KeyStoreException.NoSuchKey(d, selector.value()));
    try {
      return PemKeys.readPrivateKey(pemPath(d, selector, key.algorithm()));
    } catch (KeyFormatException e) {
      throw new KeyStoreException.Storage(d, selector.value(), e.getMessage(), e);
    }
  }

  @Override
  public synchronized DkimKey transition(String domain, Selector selector, KeyState to)
      throws KeyStoreException {
    String d = DkimKey.domainName(domain);
    try (FileLock lock = lock()) {
      List<DkimKey> before = read(d);
      List<DkimKey> keys = KeyRules.transition(d, before, selector, to, clock.instant());
      write(d, keys);
      KeyRules.logChanges(d, before, keys);
      return KeyRules.find(keys, selector);
    } catch (IOException e) {
      throw new KeyStoreException.Storage(
          d, selector.value(), "cannot update keys: " + reason(e), e);
    }
  }

  private List<DkimKey> read(String domain) throws KeyStoreException {
    Path index = root.resolve(domain).resolve(INDEX);
    Index parsed;
    try {
      parsed = JSON.readValue(Files.readAllBytes(index), Index.class);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new KeyStoreException.Storage(
          domain, "", index + ": unreadable key index: " + reason(e), e);
    }
    List<DkimKey> keys = new ArrayList<>();
    Set<Path> named = new HashSet<>();
    for (Entry e : parsed.keys()) {
      try {
        DkimKey k =
            new DkimKey(
                domain,
                new Selector(e.selector()),
                KeyAlgorithm.parse(e.algorithm()),
                e.bits(),
                KeyState.valueOf(e.state()),
                Instant.parse(e.created()),
                instant(e.activated()),
                instant(e.retired()),
                instant(e.revoked()),
                DkimKeyRecord.parse(e.record()));
        Path pem = pemPath(domain, k.selector(), k.algorithm());
        named.add(pem.getFileName());
        if (!Files.exists(pem)) {
          log.warn(
              "key listed without its file, skipped domain={} selector={} file={}",
              domain,
              k.selector(),
              pem);
          continue;
        }
        tighten(pem);
        keys.add(k);
      } catch (RuntimeException ex) {
        throw new KeyStoreException.Storage(
            domain, String.valueOf(e.selector()), index + ": bad entry: " + ex.getMessage(), ex);
      }
    }
    warnAboutOrphans(domain, named);
    keys.sort(Comparator.comparing(DkimKey::created).thenComparing(k -> k.selector().value()));
    return keys;
  }

  private void warnAboutOrphans(String domain, Set<Path> named) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(root.resolve(domain), "*.pem")) {
      for (Path f : files) {
        if (!named.contains(f.getFileName())) {
          log.warn("key file not in the index (an interrupted generation?), ignored file={}", f);
        }
      }
    } catch (IOException e) {
      log.warn("cannot list key directory dir={} reason={}", root.resolve(domain), reason(e));
    }
  }

  private static void tighten(Path pem) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(pem);
      if (!AtomicFiles.PRIVATE_FILE.containsAll(perms)) {
        log.warn("key file readable by others, mode set to 0600 file={}", pem);
        Files.setPosixFilePermissions(pem, AtomicFiles.PRIVATE_FILE);
      }
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("cannot check key file mode file={} reason={}", pem, e.getClass().getSimpleName());
    }
  }

  private void write(String domain, List<DkimKey> keys) throws IOException {
    List<Entry> entries = new ArrayList<>();
    for (DkimKey k : keys) {
      entries.add(
          new Entry(
              k.selector().value(),
              k.algorithm().tag(),
              k.bits(),
              k.state().name(),
              k.created().toString(),
              k.activated().map(Instant::toString).orElse(null),
              k.retired().map(Instant::toString).orElse(null),
              k.revoked().map(Instant::toString).orElse(null),
              k.record().render()));
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(new Index(entries));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("key index does not serialize", e);
    }
    AtomicFiles.write(root.resolve(domain).resolve(INDEX), json, AtomicFiles.PRIVATE_FILE);
  }

  /** Serializes changes across processes; held for one read-modify-write. */
  private FileLock lock() throws IOException {
    AtomicFiles.createPrivateDirectories(root);
    FileChannel ch =
        FileChannel.open(
            root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      return new ChannelLock(ch, ch.lock());
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** A lock that closes its channel when released. */
  private static final class ChannelLock extends FileLock {
    private final FileLock inner;

    ChannelLock(FileChannel channel, FileLock inner) {
      super(channel, inner.position(), inner.size(), inner.isShared());
      this.inner = inner;
    }

    @Override
    public boolean isValid() {
      return inner.isValid();
    }

    @Override
    public void release() throws IOException {
      inner.release();
      channel().close();
    }
  }

  private Path pemPath(String domain, Selector selector, KeyAlgorithm algorithm) {
    return root.resolve(domain).resolve(selector.value() + "." + algorithm.tag() + ".pem");
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }

  private static String reason(IOException e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }
}
