// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.util.List;

/**
 * The configuration file has mistakes; {@link #problems()} lists every one found, each naming the
 * file, line, column and key. The message is those lines joined.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  /** One mistake: {@code mailseal.yaml:12:7: delivery.smarthost.port: must be 1-65535}. */
  public record Problem(String file, int line, int column, String key, String message) {
    @Override
    public String toString() {
      return file + ":" + line + ":" + column + ": " + (key.isEmpty() ? "" : key + ": ") + message;
    }
  }

  private final transient List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(String.join("\n", problems.stream().map(Problem::toString).toList()));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
