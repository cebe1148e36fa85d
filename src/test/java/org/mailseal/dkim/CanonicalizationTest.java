// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanonicalizationTest {

  private static String sha(String canonical) {
    return Base64.getEncoder()
        .encodeToString(
            SignatureAlgorithms.sha256().digest(canonical.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /** Body, then its expected canonical form, with \r and \n and \t spelled out. */
  @ParameterizedTest(name = "{0} body [{1}]")
  @CsvSource(
      delimiter = '|',
      value = {
        "simple |                      | \\r\\n",
        "relaxed|                      | ''",
        "simple | \\r\\n\\r\\n         | \\r\\n",
        "relaxed| \\r\\n\\r\\n         | ''",
        "simple | a\\r\\n\\r\\n\\r\\n  | a\\r\\n",
        "relaxed| a  \\t b \\r\\n       | a b\\r\\n",
        "relaxed| \\t lead\\r\\n        | ' lead\\r\\n'",
        "simple | a  \\r\\n            | 'a  \\r\\n'",
        "relaxed| a\\r\\n \\t\\r\\n      | a\\r\\n",
        "simple | a\\r\\n \\r\\n        | 'a\\r\\n \\r\\n'",
        "relaxed| \\r\\n\\r\\nx\\r\\n   | \\r\\n\\r\\nx\\r\\n",
        "simple | x                    | x\\r\\n",
        "relaxed| x                    | x\\r\\n",
      })
  void bodyCanonicalForm(String canonicalization, String body, String expected) {
    Canonicalization c = Canonicalization.valueOf(canonicalization.strip().toUpperCase());
    String input = unescape(body == null ? "" : body.strip());
    String want = unescape(expected == null ? "" : expected);
    assertThat(DkimSigner.bodyHash(c, input.getBytes(StandardCharsets.ISO_8859_1)))
        .isEqualTo(sha(want));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "SUBJECT :  Hello   World \\t\\r\\n | subject:Hello World\\r\\n",
        "To: a,\\r\\n\\tb\\r\\n              | to:a, b\\r\\n",
        "X-Empty:\\r\\n                      | x-empty:\\r\\n",
        "X-Spaces:   \\r\\n                  | x-spaces:\\r\\n",
      })
  void relaxedHeaderCanonicalForm(String raw, String expected) {
    assertThat(Canonicalization.RELAXED.header(unescape(raw.strip())))
        .isEqualTo(unescape(expected.strip()));
    assertThat(Canonicalization.SIMPLE.header(unescape(raw.strip())))
        .isEqualTo(unescape(raw.strip()));
  }

  private static String unescape(String s) {
    return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
  }
}
