// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DnsLookupTest {
  @Test
  void serverAddressesParse() {
    assertThat(DnsjavaLookup.parseServer("127.0.0.1").getPort()).isEqualTo(53);
    assertThat(DnsjavaLookup.parseServer("127.0.0.1:5353").getPort()).isEqualTo(5353);
    assertThat(DnsjavaLookup.parseServer("[::1]:5353").getAddress().getHostAddress())
        .isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(DnsjavaLookup.parseServer("::1").getPort()).isEqualTo(53);
  }

  @Test
  void txtStringsSplitAt255AndEscapeForZoneFiles() {
    TxtRecord t = TxtRecord.split("x".repeat(600));
    assertThat(t.strings()).extracting(String::length).containsExactly(255, 255, 90);
    assertThat(TxtRecord.of("a\"b\\c\u00e9").zoneText()).isEqualTo("\"a\\\"b\\\\c\\233\"");
  }
}
