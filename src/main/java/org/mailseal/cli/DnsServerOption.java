// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsjavaLookup;
import picocli.CommandLine.Option;

/** {@code --dns-server}, shared by every command that reads DNS. */
final class DnsServerOption {
  @Option(
      names = "--dns-server",
      paramLabel = "HOST[:PORT]",
      description = "Ask this DNS server instead of the system resolver.")
  String dnsServer;

  DnsLookup lookup() {
    try {
      return dnsServer == null ? DnsjavaLookup.system() : DnsjavaLookup.server(dnsServer);
    } catch (IllegalArgumentException e) {
      throw new CliException("--dns-server: " + e.getMessage());
    }
  }
}
