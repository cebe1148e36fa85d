// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.nio.file.Path;
import java.security.PrivateKey;
import org.mailseal.tls.ServerTls;

/** Test access to {@link ServerTls}'s PEM key reader, for building other servers' key stores. */
public final class ServerTlsKeys {
  private ServerTlsKeys() {}

  public static PrivateKey privateKey(Path pem) throws Exception {
    return ServerTls.readKey(pem);
  }
}
