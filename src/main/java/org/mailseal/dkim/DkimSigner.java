// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Signs messages with one or more keys in one pass (RFC 6376 §5; RFC 8463 for Ed25519).
 *
 * <p>{@link #sign(InputStream, OutputStream)} normalizes line endings to CRLF, copies the message
 * to the output while hashing the body, and returns the DKIM-Signature fields; the caller writes
 * them in front of what was copied. The header section is held (bounded by {@code maxHeaderBytes});
 * the body never is. Thread-safe: a signer may serve many sessions at once.
 */
public final class DkimSigner {
  /**
   * Which provider signs rsa-sha256 in this JVM: {@code AmazonCorrettoCryptoProvider} (native)
   * where it loads, else {@code JDK}. Asking loads it, so a caller at start learns it at once.
   */
  public static String rsaProvider() {
    return SignatureAlgorithms.rsaProviderName();
  }

  private final List<SignOptions> signatures;
  private final Clock clock;
  private final int maxHeaderBytes;
  private final ThreadLocal<List<SignatureAlgorithms.Signer>> signers;

  public DkimSigner(List<SignOptions> signatures, Clock clock, int maxHeaderBytes) {
    if (signatures.isEmpty()) {
      throw new IllegalArgumentException("DkimSigner: at least one signature is needed");
    }
    if (maxHeaderBytes < 1024) {
      throw new IllegalArgumentException("DkimSigner: maxHeaderBytes must be at least 1024");
    }
    this.signatures = List.copyOf(signatures);
    this.clock = clock;
    this.maxHeaderBytes = maxHeaderBytes;
    this.signers =
        ThreadLocal.withInitial(
            () -> {
              List<SignatureAlgorithms.Signer> list = new ArrayList<>();
              for (SignOptions o : this.signatures) {
                list.add(SignatureAlgorithms.signer(o.algorithm(), o.key()));
              }
              return list;
            });
  }

  /**
   * Reads the message from {@code in}, writes it with CRLF line endings to {@code out}, and returns
   * the signature fields to put in front of it, one per {@link SignOptions}, in order.
   *
   * @throws DkimSignException when the message has no From field or a header section that is too
   *     large or malformed; nothing useful has then been written
   */
  public SignedHeaders sign(InputStream in, OutputStream out)
      throws IOException, DkimSignException {
    MessageStream message = new MessageStream(in);
    MessageStream.HeaderSection header = message.readHeaderSection(maxHeaderBytes);
    HeaderSelection fields = new HeaderSelection(header.fields());
    if (fields.count("from") == 0) {
      throw new DkimSignException(DkimSignException.Reason.NO_FROM, "message has no From header");
    }
    out.write(header.bytes());

    Map<Canonicalization, BodyCanonicalizer> bodies = new HashMap<>();
    for (SignOptions o : signatures) {
      bodies.computeIfAbsent(
          o.bodyCanonicalization(),
          c -> new BodyCanonicalizer(c, SignatureAlgorithms.sha256(), -1));
    }
    BodyCanonicalizer[] distinct = bodies.values().toArray(new BodyCanonicalizer[0]);
    byte[] chunk = new byte[16 * 1024];
    int n;
    while ((n = message.read(chunk)) >= 0) {
      out.write(chunk, 0, n);
      for (BodyCanonicalizer b : distinct) {
        b.update(chunk, 0, n);
      }
    }
    Map<Canonicalization, String> bodyHashes = new HashMap<>();
    bodies.forEach((c, b) -> bodyHashes.put(c, Base64.getEncoder().encodeToString(b.finish())));

    long now = clock.instant().getEpochSecond();
    List<SignatureAlgorithms.Signer> prepared = signers.get();
    List<String> result = new ArrayList<>(signatures.size());
    for (int i = 0; i < signatures.size(); i++) {
      SignOptions o = signatures.get(i);
      List<String> names = o.hasExplicitHeaders() ? o.explicitHeaders() : defaultHeaders(fields);
      String unsigned = unsignedField(o, now, names, bodyHashes.get(o.bodyCanonicalization()));
      byte[] b = signField(prepared.get(i), o.headerCanonicalization(), fields, names, unsigned);
      result.add(unsigned + fold(Base64.getEncoder().encodeToString(b), lastLineLength(unsigned)));
    }
    return new SignedHeaders(result);
  }

  /** Signs a whole message held in memory; returns the signature fields plus the message. */
  public byte[] sign(byte[] message) throws DkimSignException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(message.length + 1024);
    try {
      SignedHeaders headers = sign(new ByteArrayInputStream(message), body);
      ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 1024);
      out.write(headers.bytes());
      body.writeTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory streams do not fail", e);
    }
  }

  /** h= for a message: the default names present, over-signing From, Subject, Date, To, Cc. */
  static List<String> defaultHeaders(HeaderSelection fields) {
    List<String> names = new ArrayList<>();
    for (String name : SignOptions.DEFAULT_HEADERS) {
      String key = name.toLowerCase(Locale.ROOT);
      int present = fields.count(key);
      boolean oversign = SignOptions.OVERSIGNED.contains(name);
      int times = oversign ? present + 1 : present;
      for (int i = 0; i < times; i++) {
        names.add(key);
      }
    }
    return names;
  }

  /**
   * The DKIM-Signature field up to and including {@code b=}, folded; the base64 signature is
   * appended to it.
   */
  private static String unsignedField(SignOptions o, long now, List<String> names, String bh) {
    List<String> tags = new ArrayList<>();
    tags.add("v=1;");
    tags.add("a=" + o.algorithm().tag() + ";");
    tags.add("c=" + o.headerCanonicalization().tag() + "/" + o.bodyCanonicalization().tag() + ";");
    tags.add("d=" + o.domain() + ";");
    tags.add("s=" + o.selector() + ";");
    if (o.identity() != null) {
      tags.add("i=" + o.identity() + ";");
    }
    tags.add("t=" + now + ";");
    if (o.expireAfter() != null) {
      tags.add("x=" + (now + o.expireAfter().getSeconds()) + ";");
    }
    StringBuilder field = new StringBuilder(512).append("DKIM-Signature:");
    int lineLength = field.length();
    for (String tag : tags) {
      lineLength = append(field, lineLength, tag);
    }
    // h= folds at colons: FWS is allowed around them (RFC 6376 §3.5, sig-h-tag).
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      pieces.add((i == 0 ? "h=" : "") + names.get(i) + (i == names.size() - 1 ? ";" : ":"));
    }
    boolean first = true;
    for (String piece : pieces) {
      if (first) {
        lineLength = append(field, lineLength, piece);
        first = false;
      } else if (lineLength + piece.length() <= 78) {
        field.append(piece);
        lineLength += piece.length();
      } else {
        field.append("\r\n ").append(piece);
        lineLength = 1 + piece.length();
      }
    }
    lineLength = append(field, lineLength, "bh=" + bh + ";");
    append(field, lineLength, "b=");
    return field.toString();
  }

  /** Appends a tag after one space, or on a new folded line when it would pass 78 chars. */
  private static int append(StringBuilder field, int lineLength, String tag) {
    if (lineLength + 1 + tag.length() <= 78) {
      field.append(' ').append(tag);
      return lineLength + 1 + tag.length();
    }
    field.append("\r\n ").append(tag);
    return 1 + tag.length();
  }

  private static int lastLineLength(String field) {
    int nl = field.lastIndexOf('\n');
    return field.length() - (nl + 1);
  }

  /** The b= value folded: the rest of the current line, then lines of 77 chars, then CRLF. */
  private static String fold(String base64, int lineLength) {
    StringBuilder sb = new StringBuilder(base64.length() + 64);
    int room = Math.max(0, 78 - lineLength);
    int i = Math.min(room, base64.length());
    sb.append(base64, 0, i);
    while (i < base64.length()) {
      int end = Math.min(base64.length(), i + 77);
      sb.append("\r\n ").append(base64, i, end);
      i = end;
    }
    return sb.append("\r\n").toString();
  }

  /**
   * Computes b= for a field whose text ends with {@code b=}: the selected header fields, then this
   * field without its CRLF, canonicalized and signed (RFC 6376 §3.7).
   */
  static byte[] signField(
      SignatureAlgorithms.Signer signer,
      Canonicalization headerCanonicalization,
      HeaderSelection fields,
      List<String> names,
      String unsignedField) {
    byte[] data = HeaderHash.signedData(headerCanonicalization, fields, names, unsignedField);
    try {
      return signer.sign(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing failed with a key that was accepted", e);
    }
  }

  /** Package use: a digest for tests of body hashes. */
  static String bodyHash(Canonicalization c, byte[] body) {
    BodyCanonicalizer b = new BodyCanonicalizer(c, SignatureAlgorithms.sha256(), -1);
    b.update(body, 0, body.length);
    return Base64.getEncoder().encodeToString(b.finish());
  }
}
