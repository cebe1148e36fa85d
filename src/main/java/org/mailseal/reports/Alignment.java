// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.util.Locale;

/**
 * DMARC identifier alignment mode ({@code adkim=}, {@code aspf=}): an authenticated domain is
 * aligned with the From domain when equal (strict), or when both have the same organizational
 * domain (relaxed, RFC 7489 §3.1).
 *
 * <p>The organizational domain needs the public suffix list or the DMARCbis tree walk, that is DNS.
 * What we do instead, since every report is about one of our own domains: a name is in the
 * organization of our domain when it is the domain or under it; any other name is in an
 * organization of its own. That is exact for the From domains of our mail and conservative for
 * others (a third party's domain is never taken as aligned).
 */
public enum Alignment {
  RELAXED,
  STRICT;

  /** {@code r} or {@code s}, as in a DMARC record; anything else is relaxed (the default). */
  public static Alignment of(String tag) {
    return "s".equals(tag.strip().toLowerCase(Locale.ROOT)) ? STRICT : RELAXED;
  }

  /**
   * Whether {@code authenticated} (a DKIM {@code d=} or an SPF domain) is aligned with {@code
   * headerFrom}, for reports about {@code ourDomain}.
   */
  public boolean aligned(String authenticated, String headerFrom, String ourDomain) {
    String a = normal(authenticated);
    String f = normal(headerFrom);
    if (a.isEmpty() || f.isEmpty()) {
      return false;
    }
    if (this == STRICT) {
      return a.equals(f);
    }
    String ours = normal(ourDomain);
    return a.equals(f) || (within(a, ours) && within(f, ours));
  }

  private static boolean within(String name, String domain) {
    return name.equals(domain) || name.endsWith("." + domain);
  }

  private static String normal(String d) {
    String t = d.strip().toLowerCase(Locale.ROOT);
    return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
  }
}
