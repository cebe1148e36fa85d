// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLException;
import org.mailseal.oauth.OAuthException;

/**
 * Turns what Jakarta Mail and the JDK throw when a smarthost cannot be used into one {@link
 * UpstreamFailure} that says what to do, instead of a PKIX string or a stack trace.
 */
final class FailureWords {
  private FailureWords() {}

  /** The configuration key of smarthost {@code name}, as operators write it. */
  static String configKey(String name) {
    return SmarthostTransport.DEFAULT_NAME.equals(name)
        ? "delivery.smarthost"
        : "delivery.smarthosts." + name;
  }

  /** A failure to open an authenticated connection. */
  static UpstreamFailure connecting(
      MessagingException e, SmarthostTransport.Settings s, CheckedTls tls) {
    String where = s.host() + ":" + s.port();
    String key = configKey(s.name());
    if (has(e, AuthenticationFailedException.class)) {
      String what =
          s.credentials() instanceof SmarthostCredentials.OAuth2
              ? "the OAuth2 token"
              : "the password";
      return new UpstreamFailure(
          UpstreamFailure.Kind.AUTH,
          "the smarthost "
              + s.host()
              + " refused "
              + what
              + " for user "
              + s.credentials().user()
              + ": "
              + s.credentials().remedy()
              + " ("
              + key
              + ")");
    }
    boolean untrusted =
        has(e, CertPathBuilderException.class)
            || has(e, CertPathValidatorException.class)
            || (has(e, CertificateException.class) && has(e, SSLException.class));
    Optional<X509Certificate> cert = tls.lastServerCertificate();
    if (untrusted) {
      return new UpstreamFailure(
          UpstreamFailure.Kind.TLS,
          "the certificate of "
              + s.host()
              + " is not trusted by this machine"
              + cert.map(c -> " (" + describe(c) + ")").orElse("")
              + ": add its CA with ca-file in "
              + key
              + tls.caFile().map(f -> " (now " + f + ")").orElse(""));
    }
    if (messageContains(e, "Can't verify identity of server")) {
      return new UpstreamFailure(
          UpstreamFailure.Kind.TLS,
          "the certificate of "
              + s.host()
              + " does not name "
              + s.host()
              + cert.map(c -> " (" + describe(c) + ")").orElse("")
              + ": set "
              + key
              + ".host to a name it carries");
    }
    if (messageContains(e, "STARTTLS is required")) {
      return new UpstreamFailure(
          UpstreamFailure.Kind.TLS,
          where
              + " does not offer STARTTLS: if it speaks TLS from the first byte set "
              + key
              + ".tls to implicit (usually port 465)");
    }
    if (has(e, SSLException.class)) {
      return new UpstreamFailure(
          UpstreamFailure.Kind.TLS,
          "TLS with " + where + " failed (" + rootMessage(e) + "): check " + key + ".tls and port");
    }
    String why =
        has(e, UnknownHostException.class)
            ? "no such host name"
            : has(e, SocketTimeoutException.class)
                ? "no answer (timeout)"
                : has(e, ConnectException.class) ? "connection refused" : rootMessage(e);
    return new UpstreamFailure(
        UpstreamFailure.Kind.CONNECT, "cannot reach the smarthost " + where + ": " + why);
  }

  /** No OAuth2 access token could be had for the smarthost. */
  static UpstreamFailure token(OAuthException e, SmarthostTransport.Settings s) {
    String reauthorize =
        s.credentials() instanceof SmarthostCredentials.OAuth2 o ? o.reauthorize() : "";
    if (e instanceof OAuthException.RefreshRefused r && "no_refresh_token".equals(r.error())) {
      return new UpstreamFailure(
          UpstreamFailure.Kind.AUTH,
          "the smarthost "
              + s.name()
              + " ("
              + s.host()
              + ") has no OAuth2 refresh token yet; mail stays queued until you run: "
              + reauthorize);
    }
    if (e instanceof OAuthException.RefreshRefused r) {
      return new UpstreamFailure(
          UpstreamFailure.Kind.AUTH,
          "the OAuth2 refresh token for the smarthost "
              + s.name()
              + " ("
              + s.host()
              + ") is refused: "
              + r.getMessage()
              + "; mail stays queued until you run: "
              + reauthorize);
    }
    return new UpstreamFailure(
        UpstreamFailure.Kind.AUTH,
        "no OAuth2 access token for the smarthost " + s.name() + ": " + e.getMessage());
  }

  /** "issued by CN=…, names: a, b" from a server certificate. */
  static String describe(X509Certificate c) {
    List<String> names = new ArrayList<>();
    try {
      if (c.getSubjectAlternativeNames() != null) {
        for (List<?> san : c.getSubjectAlternativeNames()) {
          if (Integer.valueOf(2).equals(san.get(0))) { // dNSName
            names.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // names from the subject below
    }
    if (names.isEmpty()) {
      names.add(commonName(c.getSubjectX500Principal().getName()));
    }
    return "issued by "
        + commonName(c.getIssuerX500Principal().getName())
        + ", names: "
        + String.join(", ", names);
  }

  private static String commonName(String dn) {
    try {
      for (Rdn r : new LdapName(dn).getRdns()) {
        if ("CN".equalsIgnoreCase(r.getType())) {
          return "CN=" + r.getValue();
        }
      }
    } catch (InvalidNameException e) {
      // the whole name below
    }
    return dn;
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable x = e; x != null; x = next(x)) {
      if (type.isInstance(x)) {
        return true;
      }
    }
    return false;
  }

  private static boolean messageContains(Throwable e, String text) {
    for (Throwable x = e; x != null; x = next(x)) {
      if (x.getMessage() != null && x.getMessage().contains(text)) {
        return true;
      }
    }
    return false;
  }

  private static Throwable next(Throwable x) {
    Throwable n = x.getCause();
    if (n == null && x instanceof MessagingException m) {
      n = m.getNextException();
    }
    return n == x ? null : n;
  }

  private static String rootMessage(Throwable e) {
    Throwable last = e;
    for (Throwable x = e; x != null; x = next(x)) {
      last = x;
    }
    String m = last.getMessage() == null ? last.getClass().getSimpleName() : last.getMessage();
    m = m.replace('\r', ' ').replace('\n', ' ').strip();
    return m.length() > 160 ? m.substring(0, 160) + "…" : m;
  }
}
