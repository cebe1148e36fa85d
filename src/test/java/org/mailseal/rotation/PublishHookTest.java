// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.keys.KeyAlgorithm;
import org.mailseal.keys.KeyGenerator;
import org.mailseal.keys.SelectorTemplate;
import org.mailseal.records.DnsRecord;
import org.mailseal.records.RecordPlan;
import org.mailseal.testing.MutableClock;

/**
 * The publish command gets the records to add and remove as JSON on stdin, after a reconcile that
 * changed them; a failure is retried at the next call. The command is a shell script that copies
 * its stdin to a file (and fails while a marker file exists).
 */
class PublishHookTest {
  private static final String D = "example.com";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Path received;
  private Path broken;
  private PublishHook hook;

  @BeforeEach
  void script() throws Exception {
    received = dir.resolve("received.json");
    broken = dir.resolve("broken");
    Path script = dir.resolve("publish.sh");
    Files.writeString(
        script,
        "#!/bin/sh\n"
            + "if [ -e \"$2\" ]; then echo 'zone is locked' >&2; echo more >&2; exit 3; fi\n"
            + "cat > \"$1\"\n"
            + "echo 'updated 1 zone' >&2\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    hook =
        new PublishHook(
            List.of(script.toString(), received.toString(), broken.toString()),
            Duration.ofSeconds(20),
            dir.resolve("dns"));
  }

  private static DnsRecord txt(String name, String value) {
    return DnsRecord.of(name, DnsRecord.Kind.DKIM_KEY, 3600, value, "a comment");
  }

  private JsonNode sent() throws Exception {
    JsonNode doc = JSON.readTree(Files.readString(received));
    Files.delete(received);
    return doc;
  }

  private static List<String> names(JsonNode list) {
    return java.util.stream.StreamSupport.stream(list.spliterator(), false)
        .map(n -> n.get("name").asText() + " " + n.get("value").asText())
        .toList();
  }

  @Test
  void newKeyAfterReconcileIsSentAsAnAdd() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-22T03:00:00Z"));
    FileKeyStore store = new FileKeyStore(dir.resolve("keys"), clock);
    Reconciler reconciler =
        new Reconciler(
            store,
            new KeyGenerator(new SecureRandom()),
            SelectorTemplate.DEFAULT,
            clock,
            k -> false);
    RotationPolicy policy =
        new RotationPolicy(
            List.of(KeyAlgorithm.ED25519),
            2048,
            "0 0 3 1 1/3 ?",
            Duration.ofHours(72),
            Duration.ofDays(14),
            Duration.ofDays(7));
    reconciler.reconcile(D, policy); // first key, PENDING
    DkimKey key = store.list(D).get(0);

    PublishHook.Outcome outcome =
        hook.publish(
            D,
            RecordPlan.forDomain(
                D, store.list(D), Optional.empty(), Optional.empty(), clock.instant()));

    assertThat(outcome).isInstanceOf(PublishHook.Published.class);
    JsonNode doc = sent();
    assertThat(doc.get("domain").asText()).isEqualTo(D);
    assertThat(doc.get("add")).hasSize(1);
    JsonNode add = doc.get("add").get(0);
    assertThat(add.get("name").asText()).isEqualTo(key.recordName() + ".");
    assertThat(add.get("type").asText()).isEqualTo("TXT");
    assertThat(add.get("ttl").asLong()).isEqualTo(3600);
    assertThat(add.get("value").asText()).isEqualTo(key.record().render());
    assertThat(doc.get("remove")).isEmpty();
  }

  @Test
  void unchangedRecordsRunNothingAndChangedOnesSendAddAndRemove() throws Exception {
    DnsRecord kept = txt("s1._domainkey.example.com", "v=DKIM1; k=ed25519; p=AAAA");
    DnsRecord old = txt("s2._domainkey.example.com", "v=DKIM1; k=ed25519; p=BBBB");
    assertThat(hook.publish(D, List.of(kept, old))).isInstanceOf(PublishHook.Published.class);
    sent();

    // Only the comment differs (a key changed state): nothing to publish, the script is not run.
    DnsRecord recommented =
        DnsRecord.of(kept.name().toString(), kept.kind(), 3600, kept.value(), "ACTIVE now");
    assertThat(hook.publish(D, List.of(recommented, old))).isEqualTo(new PublishHook.Unchanged());
    assertThat(received).doesNotExist();

    DnsRecord revoked = txt("s2._domainkey.example.com", "v=DKIM1; k=ed25519; p=");
    hook.publish(D, List.of(kept, revoked));
    JsonNode doc = sent();
    assertThat(names(doc.get("add")))
        .containsExactly("s2._domainkey.example.com. v=DKIM1; k=ed25519; p=");
    assertThat(names(doc.get("remove")))
        .containsExactly("s2._domainkey.example.com. v=DKIM1; k=ed25519; p=BBBB");
  }

  @Test
  void failedCommandIsRetriedAtTheNextCall() throws Exception {
    DnsRecord record = txt("s1._domainkey.example.com", "v=DKIM1; k=ed25519; p=AAAA");
    Files.createFile(broken);

    PublishHook.Outcome failed = hook.publish(D, List.of(record));
    assertThat(failed).isEqualTo(new PublishHook.Failed("exit=3 stderr=\"zone is locked\""));
    assertThat(received).doesNotExist();

    Files.delete(broken);
    assertThat(hook.publish(D, List.of(record))).isInstanceOf(PublishHook.Published.class);
    assertThat(names(sent().get("add")))
        .containsExactly("s1._domainkey.example.com. v=DKIM1; k=ed25519; p=AAAA");
    assertThat(hook.publish(D, List.of(record))).isEqualTo(new PublishHook.Unchanged());
  }

  @Test
  void commandPastItsTimeoutIsKilledAndCountsAsFailed() throws Exception {
    Path slow = dir.resolve("slow.sh");
    Files.writeString(slow, "#!/bin/sh\nexec sleep 30\n");
    Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwx------"));
    PublishHook hanging =
        new PublishHook(List.of(slow.toString()), Duration.ofMillis(300), dir.resolve("dns"));

    assertThat(hanging.publish(D, List.of(txt("s1._domainkey.example.com", "v=DKIM1; p=AAAA"))))
        .isEqualTo(new PublishHook.Failed("timed out after PT0.3S"));
  }

  @Test
  void noCommandPublishesNothing() {
    PublishHook none = new PublishHook(List.of(), Duration.ofSeconds(1), dir.resolve("dns"));
    assertThat(none.publish(D, List.of(txt("s1._domainkey.example.com", "v=DKIM1; p=AAAA"))))
        .isEqualTo(new PublishHook.Unchanged());
  }
}
