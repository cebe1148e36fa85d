// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * The shipped {@code logback.xml}, loaded into a private logger context whose console appender is
 * pointed at a buffer, so the global logging of the test run is untouched.
 */
class LogFormatTest {
  final LoggerContext context = new LoggerContext();
  final ByteArrayOutputStream out = new ByteArrayOutputStream();

  LogFormatTest() {
    context.setMDCAdapter(MDC.getMDCAdapter());
  }

  @AfterEach
  void clear() {
    MDC.clear();
    context.stop();
  }

  void configure(String format) {
    LogFormat.apply(context, format);
    OutputStreamAppender<?> appender =
        (OutputStreamAppender<?>)
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    appender.setOutputStream(out);
  }

  List<String> lines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void jsonModeWritesOneParseableObjectPerEventWithTheQueueId() throws Exception {
    configure("json");
    Logger maillog = context.getLogger("maillog");

    MDC.put("queueId", "Q7Y3K2");
    maillog.info("queued id={} from=<{}> size={}", "Q7Y3K2", "a@example.com", 512);
    MDC.remove("queueId");
    maillog.info("delivered id={} to=<{}> reply=\"{}\"", "Q7Y3K2", "b@example.org", "250 ok");

    List<String> lines = lines();
    assertThat(lines).hasSize(2);
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines.get(0));
    assertThat(first.path("level").asText()).isEqualTo("INFO");
    assertThat(first.path("loggerName").asText()).isEqualTo("maillog");
    assertThat(first.path("mdc").path("queueId").asText()).isEqualTo("Q7Y3K2");
    assertThat(first.path("formattedMessage").asText())
        .isEqualTo("queued id=Q7Y3K2 from=<a@example.com> size=512");
    assertThat(first.path("timestamp").isNumber()).isTrue();
    JsonNode second = json.readTree(lines.get(1));
    assertThat(second.path("formattedMessage").asText())
        .isEqualTo("delivered id=Q7Y3K2 to=<b@example.org> reply=\"250 ok\"");
    assertThat(second.path("mdc").has("queueId")).isFalse();
  }

  @Test
  void plainModeWritesTextLines() {
    configure("plain");

    context.getLogger("maillog").info("queued id={}", "Q7Y3K2");

    assertThat(lines())
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .endsWith(
                        " INFO  ["
                            + Thread.currentThread().getName()
                            + "] maillog queued id=Q7Y3K2")
                    .doesNotStartWith("{"));
  }

  @Test
  void anUnknownFormatFallsBackToPlainRatherThanSilence() {
    configure("yaml");

    context.getLogger("maillog").info("queued id={}", "Q7Y3K2");

    assertThat(lines()).singleElement().satisfies(l -> assertThat(l).endsWith("queued id=Q7Y3K2"));
  }

  @Test
  void maillogWritesInfoWhileOtherLoggersStayAtWarn() {
    configure("plain");

    context.getLogger("org.mailseal.spool.Spool").info("spool opened");
    context.getLogger("org.mailseal.spool.Spool").warn("spool slow");
    context.getLogger("maillog").info("bounced id=Q1");

    assertThat(lines()).hasSize(2);
    assertThat(lines().get(0)).endsWith("spool slow");
    assertThat(lines().get(1)).endsWith("bounced id=Q1");
  }

  @Test
  void anExplicitEnvironmentSettingWinsOverTheConfigFile() {
    assertThat(LogFormat.applyConfigured("plain", Map.of(LogFormat.PROPERTY, "json")))
        .isEqualTo("json");
  }
}
