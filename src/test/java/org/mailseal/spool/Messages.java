// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/** Test messages and envelopes. */
final class Messages {
  private Messages() {}

  static EnvelopeDraft draft(String... recipients) {
    return EnvelopeDraft.submitted("alice@example.org", List.of(recipients), "alice");
  }

  /** A small message whose content is determined by {@code n}. */
  static byte[] numbered(int n) {
    return ("DKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=s1; b=x"
            + n
            + "\r\n"
            + "From: alice@example.org\r\n"
            + "Subject: message "
            + n
            + "\r\n"
            + "\r\n"
            + ("body line of message " + n + "\r\n").repeat(1 + n % 7))
        .getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] sha256(InputStream in) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
