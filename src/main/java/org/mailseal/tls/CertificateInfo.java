// SPDX-License-Identifier: Apache-2.0
package org.mailseal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What a certificate says, for operators and for renewal decisions.
 *
 * @param names the subject alternative names (DNS and IP), lower case
 * @param subject the subject's distinguished name
 * @param issuer the issuer's distinguished name
 * @param notAfter when it expires
 * @param fingerprint SHA-256 of the DER, colon-separated upper-case hex (as clients show it)
 */
public record CertificateInfo(
    List<String> names, String subject, String issuer, Instant notAfter, String fingerprint) {
  public CertificateInfo {
    names = List.copyOf(names);
  }

  /** Whether the certificate signed itself (mailseal's stand-in until a CA issued one). */
  public boolean selfSigned() {
    return subject.equals(issuer);
  }

  /** The first certificate of {@code chain}. */
  public static CertificateInfo of(X509Certificate leaf) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          Object type = san.get(0);
          if (Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) {
            names.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded());
      String hex = HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
      return new CertificateInfo(
          names,
          leaf.getSubjectX500Principal().getName(),
          leaf.getIssuerX500Principal().getName(),
          leaf.getNotAfter().toInstant(),
          hex);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 and X.509 are part of every JDK", e);
    }
  }

  /**
   * The certificate chain of a PEM file, leaf first.
   *
   * @throws IOException when the file cannot be read or holds no certificate
   */
  public static List<X509Certificate> readChain(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      CertificateFactory.getInstance("X.509")
          .generateCertificates(in)
          .forEach(c -> out.add((X509Certificate) c));
      if (out.isEmpty()) {
        throw new IOException(file + ": no certificate in the file");
      }
      return out;
    } catch (java.security.cert.CertificateException e) {
      throw new IOException(file + ": not a PEM certificate (" + e.getMessage() + ")", e);
    }
  }

  /** What the first certificate of {@code file} says. */
  public static CertificateInfo read(Path file) throws IOException {
    return of(readChain(file).get(0));
  }
}
