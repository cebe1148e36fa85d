// SPDX-License-Identifier: Apache-2.0
package org.mailseal.oauth;

import java.util.Map;

/** Lets tests of other packages parse a form or query string as the consent flow does. */
public final class LoopbackAuthorizationAccess {
  private LoopbackAuthorizationAccess() {}

  public static Map<String, String> query(String raw) {
    return LoopbackAuthorization.query(raw);
  }
}
