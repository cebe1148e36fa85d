// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailseal.keys.KeyAlgorithm;

class ConfigLoaderTest {
  private static final Path BAD = Path.of("src/test/resources/config/bad");

  static Stream<Path> shippedConfigurations() throws IOException {
    try (Stream<Path> examples = Files.list(Path.of("config/examples"))) {
      return Stream.concat(
          Stream.of(Path.of("config/mailseal.yaml")), examples.sorted().toList().stream());
    }
  }

  static Stream<String> badFixtures() throws IOException {
    try (Stream<Path> files = Files.list(BAD)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .map(n -> n.substring(0, n.length() - 5))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("shippedConfigurations")
  void everyShippedConfigurationLoads(Path file) throws Exception {
    MailsealConfig c = ConfigLoader.load(file);
    assertThat(c.domainNames()).isNotEmpty();
    assertThat(ConfigLoader.describe(c)).noneMatch(l -> l.contains("hunter2"));
  }

  @ParameterizedTest
  @MethodSource("badFixtures")
  void badConfigurationReportsEveryProblemWithItsPlace(String name) throws Exception {
    Path file = BAD.resolve(name + ".yaml");
    List<String> expected = Files.readAllLines(BAD.resolve(name + ".expected"));
    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .extracting(p -> p.toString().replace(BAD + "/", ""))
                    .containsExactlyElementsOf(expected));
  }

  @Test
  void dmarcReportsMailboxAndRampThresholdsAreRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(
        file,
        "dmarc:\n  reports:\n    directory: var/dmarc\n    imap:\n      host: imap.example.com\n"
            + "      username: dmarc@example.com\n      password-file: /run/secrets/imap\n"
            + "      after-read: move:Processed\n"
            + "domains:\n  example.com:\n    dmarc:\n      ramp:\n        aligned-percent: 99.5\n"
            + "        reject-after: 45d\n  example.org: {}\n");
    MailsealConfig c = ConfigLoader.load(file);
    MailsealConfig.Imap imap = c.dmarc().reports().imap().orElseThrow();
    // Relative to the directory above the file's own.
    Path base = dir.toAbsolutePath().getParent();
    assertThat(c.dmarc().reports().directory()).isEqualTo(base.resolve("var/dmarc"));
    assertThat(imap.port()).isEqualTo(993);
    assertThat(imap.tls()).isEqualTo(MailsealConfig.ImapTls.IMPLICIT);
    assertThat(imap.folder()).isEqualTo("INBOX");
    assertThat(imap.afterRead()).isEqualTo(MailsealConfig.AfterRead.MOVE);
    assertThat(imap.moveTo()).isEqualTo("Processed");
    assertThat(c.domain("example.com").orElseThrow().dmarc().ramp())
        .isEqualTo(
            new MailsealConfig.Ramp(
                99.5, Duration.ofDays(14), Duration.ofDays(14), Duration.ofDays(45)));
    assertThat(c.domain("example.org").orElseThrow().dmarc().ramp().alignedPercent())
        .isEqualTo(99.0);
    assertThat(EffectiveConfig.lines(c))
        .contains(
            "dmarc.reports.directory=\"" + base.resolve("var/dmarc") + "\"",
            "dmarc.reports.imap.password=file:/run/secrets/imap (****)");
  }

  @Test
  void withoutADmarcSectionReportsLiveUnderVar(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(file, "domains:\n  example.com: {}\n");
    MailsealConfig c = ConfigLoader.load(file);
    assertThat(c.dmarc().reports().directory())
        .isEqualTo(dir.toAbsolutePath().getParent().resolve("var/reports"));
    assertThat(c.dmarc().reports().imap()).isEmpty();
  }

  @Test
  void routesSendSomeRecipientDomainsAnotherWay(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(
        file,
        "delivery:\n  route: mx\n  routes:\n    Example.NET: smarthost\n    example.org: file\n"
            + "  smarthost:\n    host: smtp.example.net\ndomains:\n  example.com: {}\n");
    MailsealConfig c = ConfigLoader.load(file);
    assertThat(c.delivery().route()).isEqualTo(MailsealConfig.Route.MX);
    assertThat(c.delivery().routes())
        .containsExactly(
            Map.entry("example.net", MailsealConfig.Route.SMARTHOST),
            Map.entry("example.org", MailsealConfig.Route.FILE));
    assertThat(ConfigLoader.describe(c))
        .contains("delivery.routes.\"example.net\"=smarthost", "delivery.smarthost.tls=starttls");
  }

  @Test
  void namedSmarthostsSenderRoutesAndAnOAuth2ProviderPreset(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(
        file,
        "delivery:\n  route: smarthost\n  smarthost:\n    host: smtp.gmail.com\n"
            + "    username: owner@example.com\n    auth: oauth2\n    oauth2:\n"
            + "      provider: google\n      client-id: 1234.apps.googleusercontent.com\n"
            + "      client-secret-file: /etc/mailseal/oauth-client-secret\n"
            + "      refresh-token-file: /var/lib/mailseal/oauth-refresh-token\n"
            + "  smarthosts:\n    desk:\n      host: smtp.office365.com\n"
            + "      username: help@example.org\n      auth: oauth2\n      oauth2:\n"
            + "        provider: microsoft\n        tenant: example.org\n"
            + "        client-id: 00000000-1111\n"
            + "        refresh-token-file: /var/lib/mailseal/desk-refresh-token\n"
            + "  sender-routes:\n    Example.ORG: desk\n    owner@example.org: default\n"
            + "domains:\n  example.com: {}\n");
    MailsealConfig c = ConfigLoader.load(file);
    MailsealConfig.OAuth2 google = c.delivery().smarthost().oauth2().orElseThrow();
    assertThat(google.tokenEndpoint()).hasToString("https://oauth2.googleapis.com/token");
    assertThat(google.scope()).isEqualTo("https://mail.google.com/");
    MailsealConfig.OAuth2 ms = c.delivery().smarthosts().get("desk").oauth2().orElseThrow();
    assertThat(ms.tokenEndpoint())
        .hasToString("https://login.microsoftonline.com/example.org/oauth2/v2.0/token");
    assertThat(ms.scope()).isEqualTo("https://outlook.office.com/SMTP.Send offline_access");
    assertThat(ms.clientSecret()).isEmpty();
    assertThat(c.delivery().senderRoutes())
        .containsExactly(
            Map.entry("example.org", "desk"), Map.entry("owner@example.org", "default"));
    assertThat(ConfigLoader.describe(c))
        .contains("delivery.smarthosts.\"desk\".host=\"smtp.office365.com\"")
        .contains(
            "delivery.smarthost.oauth2.client-secret=file:/etc/mailseal/oauth-client-secret (****)")
        .contains("delivery.smarthost.auth=oauth2")
        .contains("delivery.sender-routes.\"example.org\"=\"desk\"");
  }

  @Test
  void embeddedDefaultHasTheDocumentedValues() throws Exception {
    MailsealConfig c = ConfigLoader.load(Path.of("config/mailseal.yaml"));
    assertThat(c.listeners().submission().port()).isEqualTo(2587);
    assertThat(c.listeners().submissions().port()).isEqualTo(2465);
    assertThat(c.delivery().route()).isEqualTo(MailsealConfig.Route.FILE);
    assertThat(c.delivery().fileDirectory()).isEqualTo(Path.of("var/outbox").toAbsolutePath());
    assertThat(c.users().loginCache()).isEqualTo(Duration.ofMinutes(10));
    MailsealConfig.Domain d = c.domain("example.com").orElseThrow();
    assertThat(d.algorithms()).containsExactly(KeyAlgorithm.RSA, KeyAlgorithm.ED25519);
    assertThat(d.rotation().prepublish()).isEqualTo(Duration.ofHours(72));
    assertThat(d.rotation().grace()).isEqualTo(Duration.ofDays(14));
    assertThat(d.dmarc().p()).isEqualTo(MailsealConfig.DmarcPolicy.NONE);
    assertThat(d.dmarc().rua()).containsExactly("mailto:dmarc-reports@example.com");
    assertThat(c.web()).contains(new MailsealConfig.Web("127.0.0.1", 9443));
  }

  @Test
  void theDashboardIsOffWithoutAWebSection(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(file, "domains:\n  example.com: {}\n");
    assertThat(ConfigLoader.load(file).web()).isEmpty();
    Files.writeString(file, "web: {port: 8444}\ndomains:\n  example.com: {}\n");
    assertThat(ConfigLoader.load(file).web()).contains(new MailsealConfig.Web("127.0.0.1", 8444));
  }

  @Test
  void secretsAreReadOnlyWhenUsedAndNeverShown(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("pw");
    Files.writeString(secret, "s3cret\n");
    SecretRef ref = new SecretRef(null, secret);
    assertThat(ref.resolve()).isEqualTo("s3cret");
    assertThat(ref.toString()).doesNotContain("s3cret").contains("****");
    assertThatThrownBy(() -> new SecretRef("MAILSEAL_TEST_UNSET_VARIABLE", null).resolve())
        .hasMessage("environment variable MAILSEAL_TEST_UNSET_VARIABLE is not set");
  }

  @Test
  void relativePathsLandInTheDirectoryAboveTheFilesOwnWhateverTheWorkingDirectory(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("tree/config/mailseal.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "keys:\n  directory: keys\nspool:\n  directory: /abs/spool\ndomains:\n  a.example: {}\n");
    MailsealConfig c = ConfigLoader.load(file);
    Path tree = dir.resolve("tree").toAbsolutePath().normalize();
    assertThat(c.server().baseDirectory()).isEqualTo(tree);
    assertThat(c.keys().directory()).isEqualTo(tree.resolve("keys"));
    assertThat(c.users().file()).isEqualTo(tree.resolve("var/users.yaml"));
    assertThat(c.spool().directory()).isEqualTo(Path.of("/abs/spool"));
  }

  @Test
  void baseDirectoryInTheFileIsWhereRelativePathsLand(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("etc/mailseal.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "server:\n  base-directory: /var/lib/mailseal\ntls:\n  certificate: c.pem\n  key: k.pem\n"
            + "delivery:\n  file:\n    directory: var/outbox\ndomains:\n  a.example: {}\n");
    MailsealConfig c = ConfigLoader.load(file);
    Path base = Path.of("/var/lib/mailseal");
    assertThat(c.server().baseDirectory()).isEqualTo(base);
    assertThat(c.keys().directory()).isEqualTo(base.resolve("keys"));
    assertThat(c.spool().directory()).isEqualTo(base.resolve("var/spool"));
    assertThat(c.delivery().fileDirectory()).isEqualTo(base.resolve("var/outbox"));
    assertThat(c.tls().certificate()).contains(base.resolve("c.pem"));
    assertThat(c.tls().selfSignedDirectory()).isEqualTo(base.resolve("var/tls"));
  }

  @Test
  void relativeBaseDirectoryIsAProblem(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(file, "server:\n  base-directory: state\ndomains:\n  a.example: {}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file))
        .hasMessageEndingWith(
            ":2:19: server.base-directory: must be an absolute directory, found state");
  }

  @Test
  void missingFileIsOneProblem() {
    assertThatThrownBy(() -> ConfigLoader.load(Path.of("no/such.yaml")))
        .hasMessage("no/such.yaml:1:1: no such file");
  }
}
