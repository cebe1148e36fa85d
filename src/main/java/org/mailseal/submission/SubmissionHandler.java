// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mailseal.auth.AccountLimits;
import org.mailseal.auth.User;
import org.mailseal.dkim.DkimSignException;
import org.mailseal.dkim.SignedHeaders;
import org.mailseal.policy.MailAddress;
import org.mailseal.policy.SenderPattern;
import org.mailseal.policy.SenderPolicy;
import org.mailseal.policy.SmtpReply;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.SpoolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;

/**
 * One mail transaction of one session: MAIL FROM and RCPT TO checked against the user's allowed
 * senders and the address rules, then DATA read, checked (From), completed (Received, Message-ID,
 * Date), signed with every ACTIVE key of the From domain, and stored durably in the spool before
 * {@code 250}. Whatever is refused during DATA is read to its end first, so the client's next
 * command is not taken from the message.
 */
final class SubmissionHandler implements MessageHandler {
  private static final Logger log = LoggerFactory.getLogger(SubmissionHandler.class);
  private static final Logger maillog = LoggerFactory.getLogger("maillog");

  private final SubmissionContext ctx;
  private final MessageContext session;
  private final boolean trusted;
  private String sender;
  private User account;
  private final List<String> recipients = new ArrayList<>();

  SubmissionHandler(SubmissionContext ctx, MessageContext session, boolean trusted) {
    this.ctx = ctx;
    this.session = session;
    this.trusted = trusted;
  }

  /** The authenticated user's name, or the trusted-network marker. */
  private String userName() {
    if (trusted) {
      return "";
    }
    return login().map(Logins.Accepted::user).orElse("");
  }

  /** The session's login, if it authenticated. */
  private Optional<Logins.Accepted> login() {
    return session
        .getAuthenticationHandler()
        .map(h -> h.getIdentity())
        .filter(Logins.Accepted.class::isInstance)
        .map(Logins.Accepted.class::cast);
  }

  /** The authenticated user as the users file says now (it may have changed). */
  private User user() throws RejectException {
    Optional<User> u = ctx.users().find(userName());
    if (u.isEmpty()) {
      throw reject(new SmtpReply(550, "5.7.1", "User " + userName() + " no longer exists"));
    }
    return u.get();
  }

  /** What the user may send as now (re-read: the users file may have changed). */
  private List<SenderPattern> allowed() throws RejectException {
    if (trusted) {
      return ctx.trustedSenders();
    }
    return user().allowed();
  }

  @Override
  public void from(String from) throws RejectException {
    if (!trusted && userName().isEmpty()) {
      throw reject(new SmtpReply(530, "5.7.0", "Authentication required"));
    }
    Optional<SmtpReply> refused = ctx.policy().mailFrom(label(), allowed(), from);
    if (refused.isPresent()) {
      throw rejected("mail-from", refused.get());
    }
    if (!trusted) {
      account = user();
      Optional<AccountLimits.Refusal> limit = ctx.accounts().mailFrom(account);
      if (limit.isPresent()) {
        throw limited(limit.get());
      }
    }
    try {
      sender = MailAddress.parse(from).address();
    } catch (MailAddress.Invalid e) {
      throw rejected("mail-from", e.reply());
    }
  }

  @Override
  public void recipient(String recipient) throws RejectException {
    String address;
    try {
      address = MailAddress.parse(recipient).address();
    } catch (MailAddress.Invalid e) {
      throw rejected("rcpt", e.reply());
    }
    if (!trusted) {
      Optional<AccountLimits.Refusal> limit = ctx.accounts().recipient(user(), recipients, address);
      if (limit.isPresent()) {
        throw limited(limit.get());
      }
    }
    recipients.add(address);
  }

  /** Counts a sending-limit refusal in the metrics, then refuses. */
  private RejectException limited(AccountLimits.Refusal r) {
    r.limit().ifPresent(l -> ctx.metrics().userLimitExceeded(l.key()));
    if (r.suspendedNow()) {
      ctx.metrics().userSuspended();
    }
    return rejected(r.limit().isPresent() ? "limit" : "suspended", r.reply());
  }

  @Override
  public String data(InputStream raw) throws RejectException, IOException {
    long started = System.nanoTime();
    Limited in = new Limited(raw, ctx.limits().messageSize(), ctx.limits().lineLength());
    PushbackInputStream body = new PushbackInputStream(in, 1);
    try {
      MessageHead head;
      try {
        head = MessageHead.read(body, ctx.limits().headerSize());
      } catch (MessageHead.TooLarge e) {
        throw refuse(
            in,
            new SmtpReply(
                552,
                "5.3.4",
                "Header section larger than " + ctx.limits().headerSize() + " bytes"));
      } catch (MessageHead.Malformed e) {
        throw refuse(
            in, new SmtpReply(554, "5.6.0", "Malformed header section: " + e.getMessage()));
      }
      SenderPolicy.FromDecision from =
          ctx.policy().headerFrom(label(), allowed(), head.values("From"));
      if (from instanceof SenderPolicy.Refused r) {
        throw refuse(in, r.reply());
      }
      MailAddress fromAddress = ((SenderPolicy.Allowed) from).from();
      Optional<SigningKeys.DomainSigner> signer = ctx.keys().forFromDomain(fromAddress.domain());
      if (signer.isEmpty() && !ctx.relayUnsigned()) {
        throw refuse(
            in,
            new SmtpReply(
                451,
                "4.7.0",
                "No active DKIM key for " + fromAddress.domain() + " yet; try again later"));
      }
      byte[] prefix =
          ctx.trace()
              .fields(
                  session,
                  head,
                  userName(),
                  login().flatMap(Logins.Accepted::appPassword),
                  recipients);
      InputStream message =
          new SequenceInputStream(
              new ByteArrayInputStream(concat(prefix, head.bytes(), head.hasBody())), body);
      try (SpillBuffer buffer = new SpillBuffer(ctx.spillThreshold(), ctx.spillDirectory())) {
        long signStart = System.nanoTime();
        SignedHeaders signature;
        if (signer.isPresent()) {
          signature = signer.get().signer().sign(message, buffer);
        } else {
          CrlfOutput crlf = new CrlfOutput(buffer);
          message.transferTo(crlf);
          crlf.close();
          signature = new SignedHeaders(List.of());
        }
        long signNanos = System.nanoTime() - signStart;
        QueueId id =
            ctx.spool()
                .store(
                    EnvelopeDraft.submitted(sender, recipients, userName()),
                    out -> {
                      out.write(signature.bytes());
                      buffer.writeTo(out);
                    });
        if (account != null) {
          // The user as of MAIL FROM: the message is stored, so nothing here may refuse it.
          ctx.accounts().accepted(account, recipients);
        }
        ctx.metrics()
            .accepted(
                fromAddress.domain(),
                signer
                    .map(s -> s.keys().stream().map(k -> k.algorithm().tag()).toList())
                    .orElse(List.of()),
                signNanos,
                System.nanoTime() - started);
        maillog.info(
            "queued id={} user=\"{}\" client={} from=<{}> header-from=<{}> rcpts={} size={} signed={}",
            id,
            label(),
            clientIp(),
            sender,
            fromAddress,
            recipients.size(),
            buffer.size() + signature.bytes().length,
            signer
                .map(
                    s ->
                        s.keys().stream()
                            .map(k -> k.selector().value() + "/" + k.algorithm().tag())
                            .toList()
                            .toString())
                .orElse("unsigned"));
        return "2.0.0 Ok: queued as " + id;
      }
    } catch (Limited.LineTooLong e) {
      throw refuse(
          in,
          new SmtpReply(
              554,
              "5.6.0",
              "Message has a line longer than "
                  + ctx.limits().lineLength()
                  + " octets (RFC 5322 2.1.1); relays on the way would wrap it and break the"
                  + " signature. Send it quoted-printable or base64 encoded"));
    } catch (Limited.Exceeded e) {
      throw refuse(
          in,
          new SmtpReply(
              552, "5.3.4", "Message larger than " + ctx.limits().messageSize() + " bytes"));
    } catch (DkimSignException e) {
      throw refuse(in, new SmtpReply(554, "5.6.0", "Message cannot be signed: " + e.getMessage()));
    } catch (SpoolException e) {
      log.error("spool store failed: {}", e.getMessage(), e);
      throw refuse(
          in,
          new SmtpReply(451, "4.3.0", "Temporary failure storing the message; try again later"));
    }
  }

  private static byte[] concat(byte[] prefix, byte[] head, boolean hasBody) {
    byte[] out = new byte[prefix.length + head.length + (hasBody ? 2 : 0)];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(head, 0, out, prefix.length, head.length);
    if (hasBody) {
      out[out.length - 2] = '\r';
      out[out.length - 1] = '\n';
    }
    return out;
  }

  @Override
  public void done() {}

  private String label() {
    return trusted ? "trusted network " + clientIp() : userName();
  }

  private String clientIp() {
    return ((InetSocketAddress) session.getRemoteAddress()).getAddress().getHostAddress();
  }

  /** Reads the rest of the message, then refuses it. */
  private RejectException refuse(Limited in, SmtpReply reply) throws IOException {
    in.drain();
    return rejected("data", reply);
  }

  private RejectException rejected(String stage, SmtpReply reply) {
    ctx.metrics().rejected(reason(reply));
    maillog.info(
        "rejected stage={} user=\"{}\" client={} from=<{}> reply=\"{}\"",
        stage,
        label(),
        clientIp(),
        sender == null ? "" : sender,
        reply);
    return reject(reply);
  }

  private static String reason(SmtpReply r) {
    return r.code() + " " + r.enhanced();
  }

  static RejectException reject(SmtpReply reply) {
    return new RejectException(reply.code(), reply.message());
  }

  /**
   * Counts what DATA delivers and stops reading past the size limit or at a line longer than the
   * line limit (the stream here is still dot-stuffed-free SMTP data, so lines end in CRLF).
   */
  static final class Limited extends InputStream {
    static final class Exceeded extends IOException {
      private static final long serialVersionUID = 1L;
    }

    static final class LineTooLong extends IOException {
      private static final long serialVersionUID = 1L;
    }

    private final InputStream in;
    private final long limit;
    private final int lineLimit;
    private long count;
    private int line; // octets since the last LF, CR included
    private boolean stopped;

    Limited(InputStream in, long limit, int lineLimit) {
      this.in = in;
      this.limit = limit;
      this.lineLimit = lineLimit;
    }

    @Override
    public int read() throws IOException {
      int c = in.read();
      if (c >= 0) {
        if (++count > limit) {
          throw new Exceeded();
        }
        track(c);
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        if ((count += n) > limit) {
          throw new Exceeded();
        }
        if (lineLimit > 0) {
          for (int i = off; i < off + n; i++) {
            track(b[i]);
          }
        }
      }
      return n;
    }

    private void track(int c) throws LineTooLong {
      if (lineLimit <= 0 || stopped) {
        return;
      }
      if (c == '\n') {
        line = 0;
      } else if (++line > lineLimit + 1) { // + 1: the CR of the CRLF that ends the line
        stopped = true;
        throw new LineTooLong();
      }
    }

    void drain() throws IOException {
      byte[] skip = new byte[16 * 1024];
      while (in.read(skip) >= 0) {
        // discard
      }
    }
  }
}
