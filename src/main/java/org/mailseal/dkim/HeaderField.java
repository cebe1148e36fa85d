// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.util.Locale;

/**
 * One header field as it appears in the message.
 *
 * @param name the field name as written, without surrounding whitespace
 * @param raw the whole field, name to final CRLF, folding included, in ISO-8859-1
 */
record HeaderField(String name, String raw) {

  /** The name lower-cased, for case-insensitive matching. */
  String key() {
    return name.toLowerCase(Locale.ROOT);
  }

  /** The value: everything after the colon, without the final CRLF. */
  String value() {
    return raw.substring(raw.indexOf(':') + 1, raw.length() - 2);
  }
}
