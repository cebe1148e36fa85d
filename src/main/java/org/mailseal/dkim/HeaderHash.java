// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds the header data a signature covers (RFC 6376 §3.7, §5.4.2). */
final class HeaderHash {
  private HeaderHash() {}

  /**
   * The canonicalized fields {@code names} select from {@code fields} (see {@link
   * HeaderSelection#select}), then the DKIM-Signature field itself, with an empty b= value and no
   * final CRLF.
   */
  static byte[] signedData(
      Canonicalization canonicalization,
      HeaderSelection fields,
      List<String> names,
      String signatureFieldWithEmptyB) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    for (HeaderField field : fields.select(names)) {
      out.writeBytes(latin1(canonicalization.header(field.raw())));
    }
    String own = canonicalization.header(signatureFieldWithEmptyB + "\r\n");
    out.writeBytes(latin1(own.substring(0, own.length() - 2)));
    return out.toByteArray();
  }

  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
