// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.util.Optional;

/**
 * What DNS says about a sending address, for the report: its reverse name, and which {@code
 * include:} of a domain's SPF record lets it send. Production uses {@link DnsSourceLookup}; tests
 * give fixed answers, so a report is a deterministic function of its inputs. Answers are empty when
 * unknown or when DNS fails: a lookup never fails a report.
 */
public interface SourceLookup {
  /** The PTR name of {@code ip}, without the final dot. */
  Optional<String> reverseName(String ip);

  /** The {@code include:} target of {@code domain}'s SPF record that authorises {@code ip}. */
  Optional<String> spfInclude(String domain, String ip);

  /** Knows nothing: every answer empty. */
  SourceLookup NONE =
      new SourceLookup() {
        @Override
        public Optional<String> reverseName(String ip) {
          return Optional.empty();
        }

        @Override
        public Optional<String> spfInclude(String domain, String ip) {
          return Optional.empty();
        }
      };
}
