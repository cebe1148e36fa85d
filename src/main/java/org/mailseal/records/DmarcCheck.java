// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.mailseal.dkim.TagList;
import org.mailseal.dns.DnsLookup;
import org.mailseal.dns.DnsLookupException;
import org.mailseal.dns.TxtRecord;

/**
 * Finds and lints a domain's DMARC policy as RFC 9989 (DMARCbis, which replaces RFC 7489) says: the
 * DNS Tree Walk from the domain toward the root, the policy tags (warning about the {@code pct},
 * {@code rf} and {@code ri} it removed, which old receivers still read), report addresses and the
 * authorization record an outside report destination must publish (RFC 9990), and the step of the
 * ramp from {@code p=none} to {@code p=reject} the domain is on.
 *
 * <p>The tree walk (RFC 9989 §4.10): ask {@code _dmarc.<domain>}; if nothing is there, shorten the
 * name — straight to its last four labels when it has five or more, then one label at a time — and
 * ask again, until a record is found or only the top-level label is left. A record at a parent
 * governs the domain through its {@code sp=} (or {@code np=} for names that do not exist). The
 * organizational domain is where a record says {@code psd=n}, one label below a {@code psd=y}
 * record, or else the highest name with a record.
 */
public final class DmarcCheck {
  private static final List<String> VALUES = List.of("none", "quarantine", "reject");
  private static final List<String> REMOVED = List.of("pct", "rf", "ri");
  private static final List<String> KNOWN =
      List.of("v", "p", "sp", "np", "t", "psd", "adkim", "aspf", "fo", "rua", "ruf");

  private DmarcCheck() {}

  /**
   * What was found.
   *
   * @param foundAt the name the policy record was found at, empty when none was
   * @param problems what makes the record unusable: the check fails
   * @param warnings what receivers ignore or what will not work as intended
   */
  public record Report(
      String domain,
      Optional<String> foundAt,
      Optional<String> record,
      String organizationalDomain,
      Map<String, String> tags,
      List<String> problems,
      List<String> warnings,
      String step,
      String next) {
    public Report {
      tags = Map.copyOf(tags);
      problems = List.copyOf(problems);
      warnings = List.copyOf(warnings);
    }

    public boolean ok() {
      return record.isPresent() && problems.isEmpty();
    }
  }

  public static Report check(DnsLookup dns, String domain) {
    String d = domain.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<String, String> found = new LinkedHashMap<>(); // name -> record, in walk order
    for (String target : walk(d)) {
      try {
        List<String> records = new ArrayList<>();
        for (TxtRecord t : dns.txt(DnsLookup.absolute("_dmarc." + target))) {
          if (t.text().strip().toUpperCase(Locale.ROOT).startsWith("V=DMARC1")) {
            records.add(t.text().strip());
          }
        }
        if (records.size() > 1) {
          warnings.add(
              "_dmarc."
                  + target
                  + " has "
                  + records.size()
                  + " DMARC records; receivers discard them all");
          continue;
        }
        if (records.size() == 1) {
          found.put(target, records.get(0));
          if (records.get(0).replace(" ", "").toLowerCase(Locale.ROOT).contains("psd=n")) {
            break;
          }
        }
      } catch (DnsLookupException e) {
        problems.add("DNS did not answer for _dmarc." + target + ": " + e.getMessage());
        break;
      }
    }
    if (found.isEmpty()) {
      if (problems.isEmpty()) {
        problems.add("no DMARC record at _dmarc." + d + " or any parent domain");
      }
      return new Report(
          d,
          Optional.empty(),
          Optional.empty(),
          d,
          Map.of(),
          problems,
          warnings,
          "no policy: receivers apply none of DMARC to this domain",
          "publish v=DMARC1; p=none; rua=mailto:<you> and read the aggregate reports");
    }
    String at = found.keySet().iterator().next();
    String record = found.get(at);
    String org = organizationalDomain(d, found);
    Map<String, String> tags = new LinkedHashMap<>();
    try {
      TagList.parse(record)
          .asMap()
          .forEach((k, v) -> tags.put(k.toLowerCase(Locale.ROOT), v.strip()));
    } catch (IllegalArgumentException e) {
      problems.add("record does not parse: " + e.getMessage());
    }
    lint(tags, problems, warnings);
    if (!at.equals(d)) {
      warnings.add(
          "no record at _dmarc."
              + d
              + ": the policy of "
              + at
              + " applies through its "
              + (tags.containsKey("sp") ? "sp=" + tags.get("sp") : "p= (no sp= given)"));
    }
    checkDestinations(dns, at, org, tags, warnings);
    String p = tags.getOrDefault("p", "none").toLowerCase(Locale.ROOT);
    boolean test = "y".equalsIgnoreCase(tags.getOrDefault("t", "n"));
    return new Report(
        d,
        Optional.of("_dmarc." + at),
        Optional.of(record),
        org,
        tags,
        problems,
        warnings,
        step(p, test),
        next(p, test));
  }

  /** The names the tree walk asks about, in order (without the {@code _dmarc.} prefix). */
  static List<String> walk(String domain) {
    List<String> out = new ArrayList<>();
    String[] labels = domain.split("\\.");
    out.add(domain);
    int count = labels.length;
    if (count >= 5) {
      count = 4;
    } else {
      count--;
    }
    while (count >= 2) {
      out.add(
          String.join(
              ".", java.util.Arrays.copyOfRange(labels, labels.length - count, labels.length)));
      count--;
    }
    return out;
  }

  private static String organizationalDomain(String domain, Map<String, String> found) {
    String highest = domain;
    String[] labels = domain.split("\\.");
    for (Map.Entry<String, String> e : found.entrySet()) {
      String psd = psd(e.getValue());
      if ("n".equals(psd)) {
        return e.getKey();
      }
      if ("y".equals(psd)) {
        int n = e.getKey().split("\\.").length + 1;
        return n > labels.length
            ? domain
            : String.join(
                ".", java.util.Arrays.copyOfRange(labels, labels.length - n, labels.length));
      }
      highest = e.getKey();
    }
    return highest;
  }

  private static String psd(String record) {
    for (String part : record.split(";")) {
      String[] kv = part.split("=", 2);
      if (kv.length == 2 && kv[0].strip().equalsIgnoreCase("psd")) {
        return kv[1].strip().toLowerCase(Locale.ROOT);
      }
    }
    return "";
  }

  private static void lint(Map<String, String> tags, List<String> problems, List<String> warnings) {
    if (tags.isEmpty()) {
      return;
    }
    if (!"v".equals(tags.keySet().iterator().next()) || !"DMARC1".equals(tags.get("v"))) {
      problems.add("v=DMARC1 must be the first tag");
    }
    if (!tags.containsKey("p")) {
      warnings.add("no p= tag: receivers treat the policy as p=none (RFC 9989)");
    }
    for (String t : List.of("p", "sp", "np")) {
      if (tags.containsKey(t) && !VALUES.contains(tags.get(t).toLowerCase(Locale.ROOT))) {
        problems.add(t + "=" + tags.get(t) + " is not none, quarantine or reject");
      }
    }
    if (tags.containsKey("t") && !tags.get("t").matches("(?i)[yn]")) {
      problems.add("t=" + tags.get("t") + " must be y or n");
    }
    for (String t : List.of("adkim", "aspf")) {
      if (tags.containsKey(t) && !tags.get(t).matches("(?i)[rs]")) {
        problems.add(t + "=" + tags.get(t) + " must be r or s");
      }
    }
    if (tags.containsKey("fo") && !tags.get("fo").replace(" ", "").matches("[01ds](:[01ds])*")) {
      problems.add("fo=" + tags.get("fo") + " must be 0, 1, d or s, colon-separated");
    }
    if (tags.containsKey("psd") && !tags.get("psd").matches("(?i)[ynu]")) {
      problems.add("psd=" + tags.get("psd") + " must be y, n or u");
    }
    for (String t : REMOVED) {
      if (tags.containsKey(t)) {
        warnings.add(
            t
                + "= was removed by RFC 9989"
                + (t.equals("pct")
                    ? "; old receivers may still apply the policy to only part of the mail — use t=y to test a policy instead"
                    : "; receivers ignore it"));
      }
    }
    for (String t : tags.keySet()) {
      if (!KNOWN.contains(t) && !REMOVED.contains(t)) {
        warnings.add("unknown tag " + t + "= is ignored by receivers");
      }
    }
    for (String t : List.of("rua", "ruf")) {
      for (String uri : uris(tags.get(t))) {
        if (!uri.toLowerCase(Locale.ROOT).startsWith("mailto:")
            || !uri.substring(7).matches("[^@\\s]+@[^@\\s]+\\.[^@\\s!]+(!\\d+[kmgt]?)?")) {
          problems.add(t + "= " + uri + " is not a mailto: address");
        }
      }
    }
  }

  private static List<String> uris(String value) {
    List<String> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    for (String u : value.split(",")) {
      if (!u.isBlank()) {
        out.add(u.strip());
      }
    }
    return out;
  }

  /** RFC 9990: a report address outside the organizational domain must be authorized by it. */
  private static void checkDestinations(
      DnsLookup dns,
      String policyDomain,
      String org,
      Map<String, String> tags,
      List<String> warnings) {
    for (String t : List.of("rua", "ruf")) {
      for (String uri : uris(tags.get(t))) {
        int at = uri.lastIndexOf('@');
        if (at < 0 || !uri.toLowerCase(Locale.ROOT).startsWith("mailto:")) {
          continue;
        }
        String dest = uri.substring(at + 1).replaceAll("!.*$", "").toLowerCase(Locale.ROOT);
        if (dest.equals(org) || dest.endsWith("." + org)) {
          continue;
        }
        String name = policyDomain + "._report._dmarc." + dest;
        try {
          boolean authorized =
              dns.txt(DnsLookup.absolute(name)).stream()
                  .anyMatch(r -> r.text().strip().toUpperCase(Locale.ROOT).startsWith("V=DMARC1"));
          if (!authorized) {
            warnings.add(
                t
                    + "= "
                    + uri
                    + " is outside "
                    + org
                    + " and "
                    + name
                    + " has no v=DMARC1 record: receivers will not send reports there (RFC 9990)");
          }
        } catch (DnsLookupException e) {
          warnings.add("cannot check the authorization of " + uri + ": " + e.getMessage());
        }
      }
    }
  }

  static String step(String p, boolean test) {
    switch (p) {
      case "quarantine":
        return test
            ? "p=quarantine in test mode (t=y): receivers still apply none, but report as if quarantining"
            : "p=quarantine: mail that fails DMARC goes to spam";
      case "reject":
        return test
            ? "p=reject in test mode (t=y): receivers quarantine instead of rejecting"
            : "p=reject: mail that fails DMARC is refused — the last step";
      default:
        return "p=none (monitoring): receivers deliver as usual and send you reports";
    }
  }

  static String next(String p, boolean test) {
    switch (p) {
      case "quarantine":
        return test
            ? "next: drop t=y, once the reports show nothing of yours would be quarantined"
            : "next: p=reject with t=y, once quarantine has cost you no legitimate mail";
      case "reject":
        return test
            ? "next: drop t=y to reject for real"
            : "none: keep watching the aggregate reports";
      default:
        return "next: p=quarantine with t=y, once aggregate reports show all your mail passing aligned DKIM or SPF";
    }
  }
}
