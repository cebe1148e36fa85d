// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mailseal.testing.FakeDnsLookup;

class DmarcCheckTest {

  private static DmarcCheck.Report check(FakeDnsLookup dns, String domain) {
    return DmarcCheck.check(dns, domain);
  }

  @Test
  void eachStepOfTheRampIsNamedWithTheNextOne() {
    DmarcCheck.Report none =
        check(
            new FakeDnsLookup()
                .txt("_dmarc.example.com", "v=DMARC1; p=none; rua=mailto:d@example.com"),
            "example.com");
    assertThat(none.ok()).isTrue();
    assertThat(none.step()).startsWith("p=none (monitoring)");
    assertThat(none.next())
        .isEqualTo(
            "next: p=quarantine with t=y, once aggregate reports show all your mail passing aligned DKIM or SPF");
    DmarcCheck.Report testing =
        check(
            new FakeDnsLookup().txt("_dmarc.example.com", "v=DMARC1; p=quarantine; t=y"),
            "example.com");
    assertThat(testing.step()).startsWith("p=quarantine in test mode (t=y)");
    assertThat(testing.next()).startsWith("next: drop t=y");
    DmarcCheck.Report reject =
        check(new FakeDnsLookup().txt("_dmarc.example.com", "v=DMARC1; p=reject"), "example.com");
    assertThat(reject.step()).endsWith("the last step");
  }

  @Test
  void removedAndUnknownTagsAreWarnings() {
    DmarcCheck.Report r =
        check(
            new FakeDnsLookup()
                .txt("_dmarc.example.com", "v=DMARC1; p=quarantine; pct=20; ri=3600; foo=bar"),
            "example.com");
    assertThat(r.ok()).isTrue();
    assertThat(r.warnings())
        .containsExactly(
            "pct= was removed by RFC 9989; old receivers may still apply the policy to only part of the mail — use t=y to test a policy instead",
            "ri= was removed by RFC 9989; receivers ignore it",
            "unknown tag foo= is ignored by receivers");
  }

  @Test
  void badValuesAndSyntaxAreProblems() {
    assertThat(
            check(new FakeDnsLookup().txt("_dmarc.example.com", "v=DMARC1; p=maybe"), "example.com")
                .problems())
        .containsExactly("p=maybe is not none, quarantine or reject");
    assertThat(
            check(
                    new FakeDnsLookup().txt("_dmarc.example.com", "v=DMARC1; p=none; p=reject"),
                    "example.com")
                .problems())
        .containsExactly("record does not parse: duplicate tag: p");
    assertThat(
            check(
                    new FakeDnsLookup()
                        .txt("_dmarc.example.com", "v=DMARC1; p=none; rua=d@example.com"),
                    "example.com")
                .problems())
        .containsExactly("rua= d@example.com is not a mailto: address");
  }

  @Test
  void noRecordAnywhereFails() {
    DmarcCheck.Report r = check(new FakeDnsLookup(), "mail.example.com");
    assertThat(r.ok()).isFalse();
    assertThat(r.problems())
        .containsExactly("no DMARC record at _dmarc.mail.example.com or any parent domain");
  }

  @Test
  void treeWalkFindsTheOrganizationalDomainsRecord() {
    FakeDnsLookup dns =
        new FakeDnsLookup().txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine");
    DmarcCheck.Report r = check(dns, "a.b.c.mail.example.com");
    assertThat(r.foundAt()).contains("_dmarc.example.com");
    assertThat(r.organizationalDomain()).isEqualTo("example.com");
    assertThat(r.warnings()).anyMatch(w -> w.contains("applies through its sp=quarantine"));
    // five labels or more jump straight to the last four, then one label at a time
    assertThat(DmarcCheck.walk("a.b.c.mail.example.com"))
        .containsExactly(
            "a.b.c.mail.example.com", "c.mail.example.com", "mail.example.com", "example.com");
    assertThat(DmarcCheck.walk("mail.example.com"))
        .containsExactly("mail.example.com", "example.com");
  }

  @Test
  void twoRecordsAreDiscarded() {
    FakeDnsLookup dns =
        new FakeDnsLookup()
            .txt("_dmarc.example.com", "v=DMARC1; p=none")
            .txt("_dmarc.example.com", "v=DMARC1; p=reject");
    DmarcCheck.Report r = check(dns, "example.com");
    assertThat(r.ok()).isFalse();
    assertThat(r.warnings())
        .containsExactly("_dmarc.example.com has 2 DMARC records; receivers discard them all");
  }

  @Test
  void outsideReportAddressNeedsAnAuthorizationRecord() {
    FakeDnsLookup dns =
        new FakeDnsLookup()
            .txt(
                "_dmarc.example.com",
                "v=DMARC1; p=none; rua=mailto:d@example.com,mailto:reports@vendor.test");
    assertThat(check(dns, "example.com").warnings())
        .containsExactly(
            "rua= mailto:reports@vendor.test is outside example.com and example.com._report._dmarc.vendor.test"
                + " has no v=DMARC1 record: receivers will not send reports there (RFC 9990)");
    dns.txt("example.com._report._dmarc.vendor.test", "v=DMARC1");
    assertThat(check(dns, "example.com").warnings()).isEmpty();
  }
}
