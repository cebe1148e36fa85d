// SPDX-License-Identifier: Apache-2.0
package org.mailseal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyLifeTest {

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource({
    "PENDING, PENDING, false", "PENDING, ACTIVE, true", "PENDING, RETIRED, false",
    "PENDING, REVOKED, true", "ACTIVE, PENDING, false", "ACTIVE, ACTIVE, false",
    "ACTIVE, RETIRED, true", "ACTIVE, REVOKED, true", "RETIRED, PENDING, false",
    "RETIRED, ACTIVE, false", "RETIRED, RETIRED, false", "RETIRED, REVOKED, true",
    "REVOKED, PENDING, false", "REVOKED, ACTIVE, false", "REVOKED, RETIRED, false",
    "REVOKED, REVOKED, false"
  })
  void keysOnlyMoveForward(KeyState from, KeyState to, boolean allowed) {
    assertThat(from.canMoveTo(to)).isEqualTo(allowed);
  }

  @Test
  void defaultTemplateDatesTheSelectorAndNamesTheAlgorithm() {
    LocalDate day = LocalDate.of(2026, 11, 22);
    assertThat(SelectorTemplate.DEFAULT.render(day, KeyAlgorithm.RSA, Set.of()).value())
        .isEqualTo("s20261122r");
    assertThat(SelectorTemplate.DEFAULT.render(day, KeyAlgorithm.ED25519, Set.of()).value())
        .isEqualTo("s20261122e");
  }

  @Test
  void secondKeyOnTheSameDayGetsANumber() {
    LocalDate day = LocalDate.of(2026, 11, 22);
    assertThat(
            SelectorTemplate.DEFAULT
                .render(day, KeyAlgorithm.RSA, Set.of("s20261122r", "s20261122r2"))
                .value())
        .isEqualTo("s20261122r3");
  }

  @Test
  void otherPlaceholdersWork() {
    assertThat(
            new SelectorTemplate("mail-{yyyy}{MM}-{a}")
                .render(LocalDate.of(2027, 2, 1), KeyAlgorithm.ED25519, Set.of())
                .value())
        .isEqualTo("mail-202702-e");
  }

  @Test
  void templatesThatCannotMakeALabelAreRefused() {
    assertThatThrownBy(() -> new SelectorTemplate("s_{yyyyMMdd}"))
        .hasMessageContaining("does not make a DNS label");
    assertThatThrownBy(() -> new SelectorTemplate("s{date}"))
        .hasMessageContaining("unknown placeholder");
    assertThatThrownBy(() -> new SelectorTemplate("-{yyyyMMdd}"))
        .hasMessageContaining("does not make a DNS label");
  }

  @Test
  void selectorsAreDnsLabels() {
    assertThat(new Selector("S2026").value()).isEqualTo("s2026");
    assertThatThrownBy(() -> new Selector("a.b")).hasMessageContaining("is not a DNS label");
    assertThatThrownBy(() -> new Selector("x".repeat(64)))
        .hasMessageContaining("is not a DNS label");
    assertThatThrownBy(() -> new Selector("")).hasMessageContaining("(empty)");
  }

  @Test
  void newRsaKeysMustBe2048To4096Bits() {
    assertThatThrownBy(() -> KeyGenerator.checkRsaBits(1024)).hasMessageContaining("not 1024");
    assertThatThrownBy(() -> KeyGenerator.checkRsaBits(2047)).hasMessageContaining("not 2047");
    KeyGenerator.checkRsaBits(2048);
    KeyGenerator.checkRsaBits(3072);
    KeyGenerator.checkRsaBits(4096);
  }
}
