// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the header data a signature covers (RFC 6376 §3.7, §5.4.2). */
final class HeaderHash {
  private HeaderHash() {}

  /**
   * The canonicalized fields named by {@code names}, each name taking the last not yet used
   * instance (bottom-up); a name with no instance left adds nothing (that is how over-signing
   * works); then the DKIM-Signature field itself, with an empty b= value and no final CRLF.
   */
  static byte[] signedData(
      Canonicalization canonicalization,
      List<HeaderField> fields,
      List<String> names,
      String signatureFieldWithEmptyB) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    Map<String, Integer> used = new HashMap<>();
    for (String name : names) {
      String key = name.strip().toLowerCase(Locale.ROOT);
      int skip = used.merge(key, 1, Integer::sum) - 1;
      HeaderField field = nthFromBottom(fields, key, skip);
      if (field != null) {
        out.writeBytes(latin1(canonicalization.header(field.raw())));
      }
    }
    String own = canonicalization.header(signatureFieldWithEmptyB + "\r\n");
    out.writeBytes(latin1(own.substring(0, own.length() - 2)));
    return out.toByteArray();
  }

  private static HeaderField nthFromBottom(List<HeaderField> fields, String key, int skip) {
    for (int i = fields.size() - 1; i >= 0; i--) {
      if (fields.get(i).key().equals(key)) {
        if (skip == 0) {
          return fields.get(i);
        }
        skip--;
      }
    }
    return null;
  }

  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
