// SPDX-License-Identifier: Apache-2.0
package org.mailseal.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;

/**
 * The files under {@code deploy/} say what their READMEs promise: the systemd unit's hardening, the
 * compose file's services and secrets, HAProxy's PROXY protocol to every node, and node and
 * container configurations that mailseal itself accepts. Docker is not needed.
 */
class DeployFilesTest {
  static final Path DEPLOY = Path.of("deploy");
  final YAMLMapper yaml = new YAMLMapper();

  /** [Service] directives, each name with all its values in order. */
  static Map<String, List<String>> serviceSection(Path unit) throws IOException {
    Map<String, List<String>> directives = new LinkedHashMap<>();
    String section = "";
    for (String raw : Files.readAllLines(unit)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[")) {
        section = line;
        continue;
      }
      if (section.equals("[Service]")) {
        int eq = line.indexOf('=');
        directives
            .computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>())
            .add(line.substring(eq + 1));
      }
    }
    return directives;
  }

  @Test
  void systemdUnitIsHardened() throws IOException {
    Map<String, List<String>> s = serviceSection(DEPLOY.resolve("systemd/mailseal.service"));

    assertThat(s.get("User")).containsExactly("mailseal");
    assertThat(s.get("NoNewPrivileges")).containsExactly("yes");
    assertThat(s.get("ProtectSystem")).containsExactly("strict");
    assertThat(s.get("ProtectHome")).containsExactly("yes");
    assertThat(s.get("PrivateTmp")).containsExactly("yes");
    assertThat(s.get("AmbientCapabilities")).containsExactly("CAP_NET_BIND_SERVICE");
    assertThat(s.get("CapabilityBoundingSet")).containsExactly("CAP_NET_BIND_SERVICE");
    assertThat(s.get("ReadWritePaths")).containsExactly("/var/lib/mailseal");
    assertThat(s.get("WorkingDirectory")).containsExactly("/var/lib/mailseal");
    assertThat(s.get("ExecStart"))
        .containsExactly("/usr/bin/mailseal serve --config /etc/mailseal/mailseal.yaml");
    assertThat(s.get("Restart")).containsExactly("on-failure");
    assertThat(s.get("SuccessExitStatus")).containsExactly("143");
  }

  @Test
  void systemdStopTimeoutOutlastsTheGracefulShutdown() throws Exception {
    Map<String, List<String>> s = serviceSection(DEPLOY.resolve("systemd/mailseal.service"));
    long stopSeconds = Long.parseLong(s.get("TimeoutStopSec").get(0).replace("s", ""));
    // Sessions get shutdown-grace, then the workers get as long again.
    long defaultGrace =
        ConfigLoader.load(Path.of("config/mailseal.yaml")).server().shutdownGrace().toSeconds();

    assertThat(stopSeconds).isGreaterThan(2 * defaultGrace);
  }

  @Test
  void composeRunsPostgresTwoNodesAndHaproxyWithFileSecrets() throws IOException {
    JsonNode compose = yaml.readTree(DEPLOY.resolve("cluster/compose.yaml").toFile());
    JsonNode services = compose.path("services");

    assertThat(services.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("postgres", "mailseal-1", "mailseal-2", "haproxy");
    for (String node : List.of("mailseal-1", "mailseal-2")) {
      JsonNode n = services.path(node);
      assertThat(texts(n.path("secrets"))).containsExactly("db_password", "mailseal_kek");
      assertThat(texts(n.path("volumes")))
          .contains("./mailseal-node.yaml:/app/config/mailseal.yaml:ro");
      assertThat(texts(n.path("command")))
          .containsExactly("serve", "--config", "/app/config/mailseal.yaml");
      assertThat(n.path("depends_on").path("postgres").path("condition").asText())
          .isEqualTo("service_healthy");
      assertThat(n.has("ports")).as(node + " publishes no port").isFalse();
    }
    assertThat(texts(services.path("haproxy").path("ports"))).containsExactly("587:587", "465:465");
    assertThat(compose.path("secrets").path("mailseal_kek").path("file").asText())
        .isEqualTo("./secrets/mailseal_kek");
    assertThat(compose.path("secrets").path("db_password").path("file").asText())
        .isEqualTo("./secrets/db_password");
  }

  @Test
  void haproxySendsProxyV2ToBothNodesOnBothPorts() throws IOException {
    String cfg = Files.readString(DEPLOY.resolve("cluster/haproxy.cfg"));
    Matcher server =
        Pattern.compile("(?m)^\\s*server\\s+(\\S+)\\s+(\\S+):(\\d+)(.*)$").matcher(cfg);
    List<String> targets = new ArrayList<>();
    while (server.find()) {
      assertThat(server.group(4)).as(server.group()).contains("send-proxy-v2");
      targets.add(server.group(2) + ":" + server.group(3));
    }

    assertThat(targets)
        .containsExactlyInAnyOrder(
            "mailseal-1:587", "mailseal-2:587", "mailseal-1:465", "mailseal-2:465");
    assertThat(cfg).contains("mode tcp").contains("bind :587").contains("bind :465");
  }

  @Test
  void clusterNodeConfigIsValidAndExpectsTheProxyHeader() throws Exception {
    MailsealConfig c = ConfigLoader.load(DEPLOY.resolve("cluster/mailseal-node.yaml"));

    assertThat(c.listeners().submission().proxyProtocol()).isTrue();
    assertThat(c.listeners().submission().port()).isEqualTo(587);
    assertThat(c.listeners().submissions().proxyProtocol()).isTrue();
    assertThat(c.listeners().submissions().port()).isEqualTo(465);
    assertThat(c.cluster()).isPresent();
    assertThat(c.cluster().get().database()).isEqualTo("jdbc:postgresql://postgres:5432/mailseal");
    assertThat(c.admin().port()).isEqualTo(9587);
    assertThat(Files.readString(DEPLOY.resolve("cluster/haproxy.cfg")))
        .contains("check port " + c.admin().port());
  }

  @Test
  void containerDefaultConfigIsValidAndKeepsStateInTheVolumes() throws Exception {
    MailsealConfig c = ConfigLoader.load(DEPLOY.resolve("container/app/config/mailseal.yaml"));

    assertThat(c.listeners().submission().address()).isEqualTo("0.0.0.0");
    assertThat(c.listeners().submission().port()).isEqualTo(587);
    assertThat(c.listeners().submissions().port()).isEqualTo(465);
    // Relative paths land under app/ (/app in the image), whose volumes are keys/ and var/.
    Path app = DEPLOY.resolve("container/app").toAbsolutePath().normalize();
    assertThat(c.server().baseDirectory()).isEqualTo(app);
    assertThat(c.keys().directory()).isEqualTo(app.resolve("keys"));
    assertThat(c.spool().directory().startsWith(app.resolve("var"))).isTrue();
    assertThat(c.users().file().startsWith(app.resolve("var"))).isTrue();
    assertThat(c.logging().format()).isEqualTo(MailsealConfig.LogFormat.JSON);
  }

  @Test
  void debianConffileIsTheEmbeddedDefaultWithProductionPathsAndTheTrustedListener()
      throws Exception {
    MailsealConfig installed = ConfigLoader.load(DEPLOY.resolve("debian/mailseal.yaml"));
    MailsealConfig embedded = ConfigLoader.load(Path.of("config/mailseal.yaml"));
    Path state = Path.of("/var/lib/mailseal");

    assertThat(installed.server().baseDirectory()).isEqualTo(state);
    assertThat(installed.keys().directory()).isEqualTo(state.resolve("keys"));
    assertThat(installed.spool().directory()).isEqualTo(state.resolve("var/spool"));
    assertThat(installed.delivery().fileDirectory()).isEqualTo(state.resolve("var/outbox"));
    assertThat(installed.users().file()).isEqualTo(state.resolve("var/users.yaml"));
    // mailseal sendmail (cron's mail) submits through the trusted listener, on loopback only.
    MailsealConfig.Trusted trusted = installed.listeners().trusted().orElseThrow();
    assertThat(trusted.listener().address()).isEqualTo("127.0.0.1");
    assertThat(trusted.networks()).containsExactly("127.0.0.1/32", "::1/128");
    // Everything else as the embedded default: loopback listeners, file route, the same domain.
    assertThat(installed.listeners().submission()).isEqualTo(embedded.listeners().submission());
    assertThat(installed.listeners().submissions()).isEqualTo(embedded.listeners().submissions());
    assertThat(installed.delivery().route()).isEqualTo(embedded.delivery().route());
    assertThat(installed.domains()).isEqualTo(embedded.domains());
    assertThat(installed.admin()).isEqualTo(embedded.admin());
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** The README's list of what CI installs is the list .ci/run installs, no more and no less. */
  @Test
  void readmeNamesExactlyThePackagesCiInstalls() throws IOException {
    String ci = Files.readString(Path.of(".ci/run"));
    Matcher list = Pattern.compile("APT_PACKAGES=\\((.*?)\\n\\)", Pattern.DOTALL).matcher(ci);
    assertThat(list.find()).isTrue();
    java.util.Set<String> installed = new java.util.TreeSet<>();
    for (String line : list.group(1).split("\n")) {
      String code = line.replaceAll("#.*", "").strip();
      if (!code.isEmpty()) {
        installed.addAll(List.of(code.split("\\s+")));
      }
    }
    String readme = Files.readString(Path.of("README.md"));
    Matcher named = Pattern.compile("`apt-get install ([^`]*)`").matcher(readme);
    assertThat(named.find()).as("README names the packages with apt-get install").isTrue();
    java.util.Set<String> documented =
        new java.util.TreeSet<>(List.of(named.group(1).strip().split("\\s+")));
    assertThat(documented).isEqualTo(installed);
  }
}
