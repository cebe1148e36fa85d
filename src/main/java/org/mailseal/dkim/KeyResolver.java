// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.util.List;

/**
 * Where the verifier finds key records: DNS in production ({@code org.mailseal.dns} adapts its
 * lookup), a fixed map for tests and for {@code verify --key-record}.
 */
@FunctionalInterface
public interface KeyResolver {

  /**
   * The TXT values at {@code selector._domainkey.domain}, each with its strings concatenated; an
   * empty list when there is no such record.
   *
   * @throws KeyResolverException when DNS gave no answer; {@link
   *     KeyResolverException#isTemporary()} decides between {@code temperror} and {@code permerror}
   */
  List<String> resolve(String domain, String selector) throws KeyResolverException;
}
