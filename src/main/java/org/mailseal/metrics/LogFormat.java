// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Chooses the log format ({@code plain} or {@code json}) after start. Logback reads {@code
 * logback.xml} before the config file is loaded, with the format from the system property or
 * environment variable {@value #PROPERTY} (default plain); {@code serve} then calls {@link
 * #applyConfigured(String, Map)} with {@code logging.format} from the config. An explicit {@value
 * #PROPERTY} wins over the config file, so an operator can switch a container to JSON without
 * editing its config.
 */
public final class LogFormat {
  /** The system property and environment variable {@code logback.xml} reads. */
  public static final String PROPERTY = "MAILSEAL_LOG_FORMAT";

  /** Text lines (the default). */
  public static final String PLAIN = "plain";

  /** One JSON object per line. */
  public static final String JSON = "json";

  private static final String CONFIG = "logback.xml";

  private LogFormat() {}

  /**
   * Applies {@code configFormat} to the global logback context unless {@value #PROPERTY} is set as
   * a system property or in {@code env}.
   *
   * @return the format now in effect
   */
  public static String applyConfigured(String configFormat, Map<String, String> env) {
    Optional<String> override =
        Optional.ofNullable(System.getProperty(PROPERTY))
            .or(() -> Optional.ofNullable(env.get(PROPERTY)));
    if (override.isPresent()) {
      return override.get();
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext) {
      apply((LoggerContext) factory, configFormat);
    }
    return configFormat;
  }

  /**
   * Re-reads {@code logback.xml} into {@code context} with {@value #PROPERTY} set to {@code
   * format}. Loggers already handed out keep working and write in the new format.
   *
   * @throws IllegalStateException when {@code logback.xml} is missing or unreadable (a packaging
   *     error)
   */
  public static void apply(LoggerContext context, String format) {
    Objects.requireNonNull(format, "format");
    URL config = LogFormat.class.getClassLoader().getResource(CONFIG);
    if (config == null) {
      throw new IllegalStateException(CONFIG + " is not on the class path");
    }
    context.reset();
    // reset() clears context properties; set ours after it. Context properties win over system
    // properties and the environment when logback.xml substitutes ${MAILSEAL_LOG_FORMAT}.
    context.putProperty(PROPERTY, format);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException(CONFIG + " could not be read: " + e.getMessage(), e);
    }
  }
}
