// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The DKIM-Signature header fields made for one message, to be written in front of it in this
 * order.
 *
 * @param fields each a complete folded field, {@code "DKIM-Signature: …\r\n"}
 */
public record SignedHeaders(List<String> fields) {
  public SignedHeaders {
    fields = List.copyOf(fields);
  }

  /** The fields as the bytes to write in front of the message. */
  public byte[] bytes() {
    return String.join("", fields).getBytes(StandardCharsets.US_ASCII);
  }
}
