// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import java.util.Locale;
import java.util.Objects;

/**
 * Why an upstream failed, in words that say what to do.
 *
 * @param kind the class exported in {@code /metrics}
 * @param advice one line for the operator, free of tokens, secrets and stack traces
 */
public record UpstreamFailure(Kind kind, String advice) {
  public UpstreamFailure {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(advice, "advice");
  }

  /** The classes of failure; the first three make the upstream "down". */
  public enum Kind {
    /** The smarthost refused the credentials (535), or no OAuth2 token could be had. */
    AUTH,
    /** TLS failed: certificate not trusted or not naming the host, no STARTTLS, handshake. */
    TLS,
    /** No SMTP conversation: refused, timed out, name unknown, closed at once, 421 greeting. */
    CONNECT,
    /** A 4xx reply to a message or recipient. */
    TEMPORARY,
    /** A 5xx reply to a message or recipient. */
    PERMANENT;

    /** The label in {@code /metrics}: {@code auth}, {@code tls}, {@code connect}, 4xx, 5xx. */
    public String label() {
      return switch (this) {
        case TEMPORARY -> "4xx";
        case PERMANENT -> "5xx";
        default -> name().toLowerCase(Locale.ROOT);
      };
    }

    /** Whether this failure stops delivery through the upstream until a probe succeeds. */
    public boolean down() {
      return this == AUTH || this == TLS || this == CONNECT;
    }
  }
}
