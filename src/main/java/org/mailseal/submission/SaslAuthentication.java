// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.RejectException;

/**
 * AUTH PLAIN (RFC 4616) and LOGIN (what older clients speak), with or without an initial response.
 * The listener offers them only under TLS: SubEthaSMTP hides AUTH from EHLO and answers {@code 530}
 * to AUTH before STARTTLS when TLS is required.
 */
final class SaslAuthentication implements AuthenticationHandlerFactory {
  private static final List<String> MECHANISMS = List.of("PLAIN", "LOGIN");
  // RFC 4954 §4: "334" then the base64 challenge; LOGIN's are "Username:" and "Password:".
  private static final String ASK_USER = "334 VXNlcm5hbWU6";
  private static final String ASK_PASSWORD = "334 UGFzc3dvcmQ6";

  private final Logins logins;

  SaslAuthentication(Logins logins) {
    this.logins = logins;
  }

  @Override
  public List<String> getAuthenticationMechanisms() {
    return MECHANISMS;
  }

  @Override
  public AuthenticationHandler create() {
    return new Handler();
  }

  private final class Handler implements AuthenticationHandler {
    private String mechanism;
    private String user;
    private Logins.Accepted identity;

    @Override
    public Optional<String> auth(String clientInput, MessageContext context)
        throws RejectException {
      if (mechanism == null) {
        String[] parts = clientInput.trim().split(" +");
        mechanism = parts[1].toUpperCase(Locale.ROOT);
        String initial = parts.length > 2 ? parts[2] : null;
        if (parts.length > 3) {
          throw new RejectException(501, "5.5.4 Syntax: AUTH mechanism [initial-response]");
        }
        if (mechanism.equals("PLAIN")) {
          // RFC 4954 §4: "=" is an empty initial response; none means "ask me".
          return initial == null
              ? Optional.of("334 ")
              : plain(initial.equals("=") ? "" : initial, context);
        }
        if (initial != null) {
          user = text(initial);
          return Optional.of(ASK_PASSWORD);
        }
        return Optional.of(ASK_USER);
      }
      if (mechanism.equals("PLAIN")) {
        return plain(clientInput.trim(), context);
      }
      if (user == null) {
        user = text(clientInput.trim());
        return Optional.of(ASK_PASSWORD);
      }
      byte[] password = decode(clientInput.trim());
      return finish(user, password, context);
    }

    /** RFC 4616: [authzid] NUL authcid NUL passwd. */
    private Optional<String> plain(String response, MessageContext context) throws RejectException {
      byte[] raw = decode(response);
      int first = indexOf(raw, 0);
      int second = first < 0 ? -1 : indexOf(raw, first + 1);
      if (first < 0 || second < 0) {
        Arrays.fill(raw, (byte) 0);
        throw new RejectException(501, "5.5.2 Cannot decode the AUTH PLAIN response");
      }
      String authzid = utf8(Arrays.copyOfRange(raw, 0, first));
      String authcid = utf8(Arrays.copyOfRange(raw, first + 1, second));
      byte[] password = Arrays.copyOfRange(raw, second + 1, raw.length);
      Arrays.fill(raw, (byte) 0);
      if (!authzid.isEmpty() && !authzid.equalsIgnoreCase(authcid)) {
        Arrays.fill(password, (byte) 0);
        // Acting as another user is not offered: a user sends only as what they are allowed.
        throw new RejectException(535, "5.7.8 Authorization identity must be the user's own");
      }
      return finish(authcid, password, context);
    }

    private Optional<String> finish(String name, byte[] password, MessageContext context)
        throws RejectException {
      char[] chars = null;
      try {
        chars = chars(password);
        InetAddress client = ((InetSocketAddress) context.getRemoteAddress()).getAddress();
        Logins.Result result = logins.login(name, chars, client);
        if (result instanceof Logins.Accepted a) {
          identity = a;
          return Optional.empty();
        }
        Logins.Refused r = (Logins.Refused) result;
        throw new RejectException(r.code(), r.text());
      } finally {
        Arrays.fill(password, (byte) 0);
        if (chars != null) {
          Arrays.fill(chars, '\0');
        }
      }
    }

    /** The {@link Logins.Accepted} of the session's login, or null before it. */
    @Override
    public Object getIdentity() {
      return identity;
    }
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] decode(String b64) throws RejectException {
    try {
      return Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new RejectException(501, "5.5.2 Cannot decode the response: not base64");
    }
  }

  private static String text(String b64) throws RejectException {
    return utf8(decode(b64));
  }

  private static String utf8(byte[] b) throws RejectException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new RejectException(501, "5.5.2 Cannot decode the response: not UTF-8");
    }
  }

  private static char[] chars(byte[] b) throws RejectException {
    try {
      CharBuffer cb =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(b));
      char[] out = new char[cb.remaining()];
      cb.get(out);
      Arrays.fill(cb.array(), '\0');
      return out;
    } catch (CharacterCodingException e) {
      throw new RejectException(501, "5.5.2 Cannot decode the password: not UTF-8");
    }
  }
}
