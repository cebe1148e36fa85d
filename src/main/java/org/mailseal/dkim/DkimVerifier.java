// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Verifies every DKIM-Signature of a message (RFC 6376 §6; RFC 8463; RFC 8301). Key records come
 * from a {@link KeyResolver}; the body streams through once however many signatures there are.
 * Thread-safe.
 */
public final class DkimVerifier {
  /** How far in the future a {@code t=} may be before the signature is refused (clock skew). */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  private static final int MAX_HEADER_BYTES = 1024 * 1024;

  private final KeyResolver resolver;
  private final Clock clock;

  public DkimVerifier(KeyResolver resolver, Clock clock) {
    this.resolver = resolver;
    this.clock = clock;
  }

  /** One result per DKIM-Signature field, top to bottom; empty when there is none. */
  public List<VerificationResult> verify(InputStream message) throws IOException {
    MessageStream stream = new MessageStream(message);
    List<HeaderField> fields;
    try {
      fields = stream.readHeaderSection(MAX_HEADER_BYTES).fields();
    } catch (DkimSignException e) {
      return List.of(new VerificationResult.PermError("", "", "", e.getMessage()));
    }
    List<Check> checks = new ArrayList<>();
    for (HeaderField f : fields) {
      if (f.key().equals("dkim-signature")) {
        checks.add(prepare(f));
      }
    }
    if (checks.isEmpty()) {
      return List.of();
    }
    // One canonicalizer per distinct (canonicalization, l=); the body passes once.
    Map<String, BodyCanonicalizer> bodies = new HashMap<>();
    for (Check c : checks) {
      if (c.result == null) {
        c.body =
            bodies.computeIfAbsent(
                c.bodyCanonicalization + "/" + c.limit,
                k ->
                    new BodyCanonicalizer(
                        c.bodyCanonicalization, SignatureAlgorithms.sha256(), c.limit));
      }
    }
    byte[] chunk = new byte[16 * 1024];
    int n;
    while ((n = stream.read(chunk)) >= 0) {
      for (BodyCanonicalizer b : bodies.values()) {
        b.update(chunk, 0, n);
      }
    }
    Map<BodyCanonicalizer, byte[]> hashes = new HashMap<>();
    for (BodyCanonicalizer b : bodies.values()) {
      hashes.put(b, b.finish());
    }
    HeaderSelection selection = new HeaderSelection(fields);
    List<VerificationResult> results = new ArrayList<>(checks.size());
    for (Check c : checks) {
      results.add(c.result != null ? c.result : finish(c, selection, hashes.get(c.body)));
    }
    return results;
  }

  /** The state of one signature between reading the header and the end of the body. */
  private static final class Check {
    String domain = "";
    String selector = "";
    String algorithmTag = "";
    Algorithm algorithm;
    Canonicalization headerCanonicalization;
    Canonicalization bodyCanonicalization;
    long limit = -1;
    List<String> names;
    byte[] bodyHash;
    byte[] signature;
    String fieldWithoutB;
    DkimKeyRecord key;
    BodyCanonicalizer body;
    VerificationResult result; // set when decided before the body is read
  }

  private Check prepare(HeaderField field) {
    Check c = new Check();
    TagList tags;
    try {
      tags = TagList.parse(field.value());
    } catch (IllegalArgumentException e) {
      c.result = perm(c, "malformed signature: " + e.getMessage());
      return c;
    }
    c.domain = value(tags, "d").toLowerCase(Locale.ROOT);
    c.selector = value(tags, "s").toLowerCase(Locale.ROOT);
    c.algorithmTag = value(tags, "a").toLowerCase(Locale.ROOT);
    for (String required : List.of("v", "a", "b", "bh", "d", "h", "s")) {
      if (!tags.has(required)) {
        c.result = perm(c, "signature has no " + required + "= tag");
        return c;
      }
    }
    if (!"1".equals(value(tags, "v"))) {
      c.result = perm(c, "unsupported signature version v=" + value(tags, "v"));
      return c;
    }
    if (c.algorithmTag.equals("rsa-sha1")) {
      c.result = fail(c, "rsa-sha1 is not accepted (RFC 8301)");
      return c;
    }
    c.algorithm = Algorithm.fromTag(c.algorithmTag);
    if (c.algorithm == null) {
      c.result = perm(c, "unknown algorithm a=" + c.algorithmTag);
      return c;
    }
    String canon = tags.has("c") ? value(tags, "c") : "simple/simple";
    int slash = canon.indexOf('/');
    c.headerCanonicalization =
        Canonicalization.fromTag(slash < 0 ? canon : canon.substring(0, slash));
    c.bodyCanonicalization =
        slash < 0 ? Canonicalization.SIMPLE : Canonicalization.fromTag(canon.substring(slash + 1));
    if (c.headerCanonicalization == null || c.bodyCanonicalization == null) {
      c.result = perm(c, "unknown canonicalization c=" + canon);
      return c;
    }
    c.names = new ArrayList<>();
    for (String name : value(tags, "h").split(":", -1)) {
      c.names.add(TagList.withoutWhitespace(name));
    }
    if (c.names.stream().noneMatch(h -> h.equalsIgnoreCase("from"))) {
      c.result = perm(c, "h= does not include From");
      return c;
    }
    if (tags.has("i")) {
      String i = value(tags, "i");
      int at = i.lastIndexOf('@');
      String idDomain = at < 0 ? "" : i.substring(at + 1).toLowerCase(Locale.ROOT);
      if (at < 0 || !(idDomain.equals(c.domain) || idDomain.endsWith("." + c.domain))) {
        c.result = perm(c, "i= is not in the d= domain");
        return c;
      }
    }
    if (tags.has("q") && !Arrays.asList(value(tags, "q").split(":")).contains("dns/txt")) {
      c.result = perm(c, "unsupported query method q=" + value(tags, "q"));
      return c;
    }
    try {
      if (tags.has("l")) {
        c.limit = Long.parseLong(value(tags, "l"));
        if (c.limit < 0) {
          throw new NumberFormatException();
        }
      }
      long now = clock.instant().getEpochSecond();
      Long t = tags.has("t") ? Long.parseLong(value(tags, "t")) : null;
      Long x = tags.has("x") ? Long.parseLong(value(tags, "x")) : null;
      if (t != null && x != null && x < t) {
        c.result = perm(c, "x= is before t=");
        return c;
      }
      if (t != null && t > now + MAX_CLOCK_SKEW.getSeconds()) {
        c.result = perm(c, "signature timestamp t= is in the future");
        return c;
      }
      if (x != null && x < now) {
        c.result = fail(c, "signature expired");
        return c;
      }
    } catch (NumberFormatException e) {
      c.result = perm(c, "malformed number in l=, t= or x=");
      return c;
    }
    try {
      c.bodyHash = Base64.getDecoder().decode(TagList.withoutWhitespace(value(tags, "bh")));
      c.signature = Base64.getDecoder().decode(TagList.withoutWhitespace(value(tags, "b")));
    } catch (IllegalArgumentException e) {
      c.result = perm(c, "b= or bh= is not valid base64");
      return c;
    }
    c.fieldWithoutB = withoutBValue(field.raw());
    c.result = fetchKey(c, tags);
    return c;
  }

  /** Looks the key up and checks it fits the signature; null when it does. */
  private VerificationResult fetchKey(Check c, TagList tags) {
    List<String> records;
    try {
      records = resolver.resolve(c.domain, c.selector);
    } catch (KeyResolverException e) {
      return e.isTemporary()
          ? new VerificationResult.TempError(
              c.domain, c.selector, c.algorithmTag, "key lookup failed: " + e.getMessage())
          : perm(c, "key lookup failed: " + e.getMessage());
    }
    if (records.isEmpty()) {
      return perm(c, "no key for signature");
    }
    DkimKeyRecord key;
    try {
      key = DkimKeyRecord.parse(records.get(0));
    } catch (IllegalArgumentException e) {
      return perm(c, "invalid key record: " + e.getMessage());
    }
    if (key.isRevoked()) {
      return fail(c, "key revoked");
    }
    if (!key.keyType().equalsIgnoreCase(c.algorithm.keyType())) {
      return perm(c, "key type k=" + key.keyType() + " does not match a=" + c.algorithmTag);
    }
    if (!key.allowsHash("sha256")) {
      return perm(c, "key record h= does not allow sha256");
    }
    if (!key.allowsEmail()) {
      return perm(c, "key record s= does not allow email");
    }
    if (key.isStrict() && tags.has("i")) {
      String i = value(tags, "i");
      if (!i.substring(i.lastIndexOf('@') + 1).equalsIgnoreCase(c.domain)) {
        return perm(c, "key record t=s forbids an i= in a subdomain of d=");
      }
    }
    if (c.algorithm == Algorithm.RSA_SHA256) {
      try {
        PublicKey pub = key.toPublicKey();
        int bits = ((RSAPublicKey) pub).getModulus().bitLength();
        if (bits < SignOptions.MIN_RSA_BITS) {
          return perm(c, "RSA key of " + bits + " bits is too small (RFC 8301)");
        }
      } catch (GeneralSecurityException | ClassCastException e) {
        return perm(c, "key record p= is not a valid RSA public key");
      }
    } else if (key.publicKey().length != 32) {
      return perm(c, "key record p= is not a 32-byte Ed25519 key");
    }
    c.key = key;
    return null;
  }

  private VerificationResult finish(Check c, HeaderSelection fields, byte[] computedBodyHash) {
    if (c.limit >= 0 && c.body.length() < c.limit) {
      return testing(c, fail(c, "body is shorter than l="));
    }
    if (!MessageDigest.isEqual(computedBodyHash, c.bodyHash)) {
      return testing(c, fail(c, "body hash did not verify"));
    }
    byte[] data = HeaderHash.signedData(c.headerCanonicalization, fields, c.names, c.fieldWithoutB);
    boolean ok;
    try {
      ok =
          c.algorithm == Algorithm.RSA_SHA256
              ? SignatureAlgorithms.verifyRsa(c.key.toPublicKey(), data, c.signature)
              : SignatureAlgorithms.verifyEd25519(c.key.publicKey(), data, c.signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      ok = false;
    }
    return ok
        ? new VerificationResult.Pass(c.domain, c.selector, c.algorithmTag)
        : testing(c, fail(c, "signature did not verify"));
  }

  /** A key marked {@code t=y} turns a failure into neutral (RFC 6376 §3.6.1). */
  private static VerificationResult testing(Check c, VerificationResult failure) {
    if (c.key != null && c.key.isTesting()) {
      return new VerificationResult.Neutral(
          c.domain, c.selector, c.algorithmTag, "key in test mode (t=y): " + failure.reason());
    }
    return failure;
  }

  /**
   * The field without its final CRLF and with the value of b= deleted, surrounding whitespace
   * included (RFC 6376 §3.7).
   */
  static String withoutBValue(String raw) {
    String field = raw.endsWith("\r\n") ? raw.substring(0, raw.length() - 2) : raw;
    int colon = field.indexOf(':');
    int segmentStart = colon + 1;
    while (segmentStart <= field.length()) {
      int semi = field.indexOf(';', segmentStart);
      int segmentEnd = semi < 0 ? field.length() : semi;
      int eq = field.indexOf('=', segmentStart);
      if (eq >= 0
          && eq < segmentEnd
          && TagList.withoutWhitespace(field.substring(segmentStart, eq)).equals("b")) {
        return field.substring(0, eq + 1) + field.substring(segmentEnd);
      }
      if (semi < 0) {
        break;
      }
      segmentStart = semi + 1;
    }
    return field;
  }

  private static String value(TagList tags, String name) {
    String v = tags.get(name);
    return v == null ? "" : v;
  }

  private static VerificationResult perm(Check c, String reason) {
    return new VerificationResult.PermError(c.domain, c.selector, c.algorithmTag, reason);
  }

  private static VerificationResult fail(Check c, String reason) {
    return new VerificationResult.Fail(c.domain, c.selector, c.algorithmTag, reason);
  }
}
