// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

/**
 * What DNS shows for one expected record. {@code server} names the authoritative server that was
 * asked, or is empty when a resolver was.
 */
public sealed interface CheckResult
    permits CheckResult.Ok, CheckResult.Missing, CheckResult.Different, CheckResult.Error {

  DnsRecord expected();

  String server();

  /** Whether the record is as it should be. */
  default boolean ok() {
    return this instanceof Ok;
  }

  /** One line for the operator. */
  String describe();

  /** DNS shows the record as expected. */
  record Ok(DnsRecord expected, String server) implements CheckResult {
    @Override
    public String describe() {
      return "ok         " + expected.name() + " " + expected.type() + at(server);
    }
  }

  /** DNS has no such record. */
  record Missing(DnsRecord expected, String server) implements CheckResult {
    @Override
    public String describe() {
      return "missing    "
          + expected.name()
          + " "
          + expected.type()
          + at(server)
          + " expected \""
          + expected.value()
          + "\"";
    }
  }

  /** DNS shows something else. */
  record Different(DnsRecord expected, String found, String server) implements CheckResult {
    @Override
    public String describe() {
      return "different  "
          + expected.name()
          + " "
          + expected.type()
          + at(server)
          + " expected \""
          + expected.value()
          + "\" found \""
          + found
          + "\"";
    }
  }

  /** DNS gave no answer. */
  record Error(DnsRecord expected, String reason, boolean temporary, String server)
      implements CheckResult {
    @Override
    public String describe() {
      return "error      " + expected.name() + " " + expected.type() + at(server) + " " + reason;
    }
  }

  private static String at(String server) {
    return server.isEmpty() ? "" : " at " + server;
  }
}
