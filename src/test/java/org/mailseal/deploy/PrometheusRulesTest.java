// SPDX-License-Identifier: Apache-2.0
package org.mailseal.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deploy/prometheus/mailseal-rules.yml passes Prometheus's own checks: {@code promtool check rules}
 * (syntax, PromQL, templates) and {@code promtool test rules} (each alert fires on the series that
 * should trigger it and not on healthy ones). Skips, saying so, where promtool is missing (Debian:
 * apt-get install prometheus).
 */
@Timeout(60)
class PrometheusRulesTest {
  static final Path RULES = Path.of("deploy/prometheus");

  static Path promtool;

  @BeforeAll
  static void findPromtool() {
    promtool =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
            .map(d -> Path.of(d, "promtool"))
            .filter(Files::isExecutable)
            .findFirst()
            .orElse(null);
    if (promtool == null) {
      System.err.println(
          "SKIPPED PrometheusRulesTest: promtool not found on PATH (apt-get install prometheus);"
              + " deploy/prometheus/ alert rules are NOT checked");
    }
    assumeTrue(promtool != null, "promtool not installed (apt-get install prometheus)");
  }

  static String run(String... args) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(Stream.concat(Stream.of(promtool.toString()), Stream.of(args)).toList())
            .directory(RULES.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void rulesPassPromtoolCheck() throws Exception {
    assertThat(run("check", "rules", "mailseal-rules.yml")).contains("SUCCESS: 7 rules found");
  }

  @Test
  void everyAlertFiresOnItsTriggerAndNotOnHealthySeries() throws Exception {
    assertThat(run("test", "rules", "mailseal-rules.test.yml")).contains("SUCCESS");
  }

  @Test
  void everyAlertHasAUnitTest() throws Exception {
    String rules = Files.readString(RULES.resolve("mailseal-rules.yml"));
    String tests = Files.readString(RULES.resolve("mailseal-rules.test.yml"));
    List<String> alerts =
        rules
            .lines()
            .filter(l -> l.strip().startsWith("- alert: "))
            .map(l -> l.strip().substring(9))
            .toList();
    assertThat(alerts).hasSize(7);
    for (String a : alerts) {
      assertThat(tests).as(a).contains("alertname: " + a + "\n");
    }
  }
}
