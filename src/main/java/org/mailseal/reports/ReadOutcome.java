// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.util.Objects;

/**
 * What reading one report gave: the report, or the reason it was set aside. {@code source} names
 * where it came from, for example {@code in/google.zip!google.com!example.com!1.xml}.
 */
public sealed interface ReadOutcome {
  String source();

  /** One line for the operator. */
  String describe();

  /** A report read. */
  record Parsed(String source, AggregateReport report) implements ReadOutcome {
    public Parsed {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(report, "report");
    }

    @Override
    public String describe() {
      return source + ": " + report.orgName() + " report " + report.reportId();
    }
  }

  /** An input that is not a readable report, and why. */
  record SetAside(String source, String reason) implements ReadOutcome {
    public SetAside {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String describe() {
      return source + ": set aside: " + reason;
    }
  }
}
