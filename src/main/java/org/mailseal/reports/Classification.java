// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.util.Objects;

/**
 * Who a sending address is, judged from what receivers report of its mail. Each case says what the
 * owner should do about it ({@link #advice()}), so the table and the README cannot disagree.
 */
public sealed interface Classification {
  /** A short label: {@code this relay}, {@code authorised service}, {@code unaligned}. */
  String kind();

  /** Why: the selector, include or hint that decided it. */
  String evidence();

  /** What the owner should do about a source of this kind. */
  String advice();

  /** Whether this source's failing mail is likely forged (and so leaves the ramp's share). */
  default boolean forged() {
    return false;
  }

  /**
   * mailseal itself: DKIM passes, aligned, with one of the domain's own selectors, or the address
   * is one of the relay's egress addresses.
   */
  record ThisRelay(String evidence) implements Classification {
    public ThisRelay {
      Objects.requireNonNull(evidence, "evidence");
    }

    @Override
    public String kind() {
      return "this relay";
    }

    @Override
    public String advice() {
      return "nothing to do: this is mailseal's own mail";
    }
  }

  /**
   * Another service the domain authorises: SPF passes, aligned, through an {@code include:} of the
   * domain's SPF record, or DKIM passes, aligned, with a selector mailseal does not own.
   */
  record AuthorisedService(String evidence) implements Classification {
    public AuthorisedService {
      Objects.requireNonNull(evidence, "evidence");
    }

    @Override
    public String kind() {
      return "authorised service";
    }

    @Override
    public String advice() {
      return "keep it listed (SPF include) and signing with its own selector, or send through"
          + " mailseal";
    }
  }

  /** Neither SPF nor DKIM passes aligned; {@link Hint} says whether it looks legitimate. */
  record Unaligned(Hint hint, String evidence) implements Classification {
    public Unaligned {
      Objects.requireNonNull(hint, "hint");
      Objects.requireNonNull(evidence, "evidence");
    }

    @Override
    public String kind() {
      return "unaligned";
    }

    @Override
    public String advice() {
      return hint.advice;
    }

    @Override
    public boolean forged() {
      return hint == Hint.FORGED;
    }
  }

  /** Why an unaligned source fails. */
  enum Hint {
    /** SPF fails but DKIM passes with another {@code d=}: mail relayed on by someone else. */
    FORWARDER(
        "forwarder or mailing list",
        "usually harmless: the forwarder re-sent genuine mail; ask it to keep the DKIM signature"
            + " intact (no body or Subject changes) or to use ARC"),
    /**
     * Nothing passes, but from a known mail provider's network: likely a service the owner uses (a
     * help desk, a newsletter tool) that sends as the domain without its own DKIM key for it. Not
     * counted as forged: it holds the ramp back until the owner deals with it.
     */
    KNOWN_PROVIDER(
        "a known provider's network",
        "likely a service you use: set up its DKIM signing for your domain (a selector of its"
            + " own) or add its SPF include, or send its mail through mailseal; if you use no"
            + " such service, it is forged"),
    /** Nothing passes: mail that only claims to come from the domain. */
    FORGED(
        "likely forged",
        "if you know the host, route it through mailseal (submission with AUTH); if not,"
            + " enforcement is what stops it");

    private final String label;
    private final String advice;

    Hint(String label, String advice) {
      this.label = label;
      this.advice = advice;
    }

    public String label() {
      return label;
    }
  }
}
