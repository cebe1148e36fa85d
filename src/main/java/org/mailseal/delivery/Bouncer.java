// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.ParseException;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Recipient;
import org.mailseal.spool.SpoolEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes delivery status notifications (RFC 3464) to the sender of a message: {@code failed} for
 * recipients refused for good or expired, {@code delayed} once when delivery takes long. A DSN is a
 * {@code multipart/report; report-type=delivery-status} with a human-readable part, the {@code
 * message/delivery-status} part and the original header section as {@code text/rfc822-headers} (RFC
 * 6522), sent with the null reverse-path to the original envelope sender, from {@code
 * MAILER-DAEMON@} the sender's domain so that it is signed with that domain's keys. A message with
 * the null sender, itself a bounce, never gets one (RFC 5321 §6.1).
 */
public final class Bouncer {
  private static final Logger maillog = LoggerFactory.getLogger("maillog");
  private static final Pattern STATUS = Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");
  private static final Pattern SMTP_REPLY = Pattern.compile("\\b[245]\\d\\d[ -].*");
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);
  private static final int MAX_ORIGINAL_HEADERS = 64 * 1024;

  private final LocalSubmission submission;
  private final String reportingMta;
  private final Clock clock;
  private final Session session = Session.getInstance(new Properties());

  /**
   * @param submission signs and stores the DSN
   * @param reportingMta this relay's host name ({@code Reporting-MTA: dns; …})
   */
  public Bouncer(LocalSubmission submission, String reportingMta, Clock clock) {
    this.submission = submission;
    this.reportingMta = reportingMta;
    this.clock = clock;
  }

  /** What the DSN reports. */
  enum Kind {
    FAILED("failed", "Undelivered Mail Returned to Sender"),
    DELAYED("delayed", "Delayed Mail (still being retried)");

    final String action;
    final String subject;

    Kind(String action, String subject) {
      this.action = action;
      this.subject = subject;
    }
  }

  /**
   * Reports {@code failed} recipients (FAILED, with the reply that says why) to the sender.
   *
   * @return the DSN's queue id, or empty when the message has the null sender (no DSN)
   */
  public Optional<QueueId> failed(
      SpoolEntry entry, List<Recipient> failed, Transport.MessageSource original)
      throws LocalSubmission.Refused {
    return report(Kind.FAILED, entry, failed, Optional.empty(), original);
  }

  /**
   * Warns the sender that {@code pending} recipients are still being retried, until {@code until}.
   *
   * @return the DSN's queue id, or empty when the message has the null sender (no DSN)
   */
  public Optional<QueueId> delayed(
      SpoolEntry entry, List<Recipient> pending, Instant until, Transport.MessageSource original)
      throws LocalSubmission.Refused {
    return report(Kind.DELAYED, entry, pending, Optional.of(until), original);
  }

  private Optional<QueueId> report(
      Kind kind,
      SpoolEntry entry,
      List<Recipient> recipients,
      Optional<Instant> until,
      Transport.MessageSource original)
      throws LocalSubmission.Refused {
    if (recipients.isEmpty()) {
      return Optional.empty();
    }
    if (entry.bounce() || entry.sender().isEmpty()) {
      maillog.info(
          "dsn skipped id={} action={} reason=\"null sender: never a bounce for a bounce\" rcpts={}",
          entry.id(),
          kind.action,
          recipients.size());
      return Optional.empty();
    }
    byte[] bytes;
    try {
      bytes = build(kind, entry, recipients, until, original);
    } catch (MessagingException | IOException e) {
      throw new LocalSubmission.Refused(
          "cannot build DSN for " + entry.id() + ": " + e.getMessage(), true, e);
    }
    QueueId dsn = submission.submit(EnvelopeDraft.bounceTo(entry.sender()), bytes);
    maillog.info(
        "dsn id={} action={} dsn-id={} to=<{}> rcpts={}",
        entry.id(),
        kind.action,
        dsn,
        entry.sender(),
        recipients.stream().map(Recipient::address).toList());
    return Optional.of(dsn);
  }

  /** The DSN's bytes (CRLF), before signing. */
  byte[] build(
      Kind kind,
      SpoolEntry entry,
      List<Recipient> recipients,
      Optional<Instant> until,
      Transport.MessageSource original)
      throws MessagingException, IOException {
    Instant now = clock.instant();
    String sender = entry.sender();
    String senderDomain = sender.substring(sender.lastIndexOf('@') + 1);
    String messageId =
        "<" + entry.id() + "." + kind.action + "." + now.toEpochMilli() + "@" + reportingMta + ">";
    MimeMessage m =
        new MimeMessage(session) {
          @Override
          protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
          }
        };
    m.setFrom(address("MAILER-DAEMON@" + senderDomain, "Mail Delivery System"));
    m.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress(sender, false));
    m.setSubject(kind.subject, "UTF-8");
    // Our own format, not setSentDate: that one follows the JVM's time zone.
    m.setHeader("Date", date(now));
    // RFC 3834 §5: automatic replies must not be answered automatically.
    m.setHeader("Auto-Submitted", "auto-replied");

    MimeMultipart report = new ReportMultipart();

    MimeBodyPart human = new MimeBodyPart();
    human.setText(humanText(kind, entry, recipients, until), "UTF-8");
    report.addBodyPart(human);

    MimeBodyPart status = new MimeBodyPart();
    byte[] fields = statusFields(kind, entry, recipients, until, now);
    status.setDataHandler(
        new jakarta.activation.DataHandler(
            new ByteArrayDataSource(fields, "message/delivery-status")));
    // RFC 2046 §5.2.4: message/* parts are 7bit or 8bit, never encoded.
    status.setHeader("Content-Transfer-Encoding", isAscii(fields) ? "7bit" : "8bit");
    report.addBodyPart(status);

    MimeBodyPart headers = new MimeBodyPart();
    headers.setDataHandler(
        new jakarta.activation.DataHandler(
            new ByteArrayDataSource(originalHeaders(original), "text/rfc822-headers")));
    report.addBodyPart(headers);

    m.setContent(report);
    m.saveChanges();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeTo(out);
    return out.toByteArray();
  }

  /**
   * {@code multipart/report; report-type=delivery-status} (RFC 6522): Jakarta Mail takes a
   * multipart's type from the multipart itself, so the parameter is set on it.
   */
  private static final class ReportMultipart extends MimeMultipart {
    ReportMultipart() throws ParseException {
      super("report");
      ContentType type = new ContentType(contentType);
      type.setParameter("report-type", "delivery-status");
      contentType = type.toString();
    }
  }

  private String humanText(
      Kind kind, SpoolEntry entry, List<Recipient> recipients, Optional<Instant> until) {
    StringBuilder t = new StringBuilder();
    t.append("This is the mail system at ").append(reportingMta).append(".\r\n\r\n");
    if (kind == Kind.FAILED) {
      t.append("Your message could not be delivered to the recipients below; the mail\r\n")
          .append("system has given up on them:\r\n\r\n");
    } else {
      t.append("Your message has not been delivered yet to the recipients below. The mail\r\n")
          .append("system keeps trying until ")
          .append(date(until.orElseThrow()))
          .append(";\r\nyou need not send it again.\r\n\r\n");
    }
    for (Recipient r : recipients) {
      t.append("<")
          .append(r.address())
          .append(">: ")
          .append(r.lastReply().isEmpty() ? "no reply yet" : r.lastReply())
          .append("\r\n");
    }
    t.append("\r\nQueue ID: ")
        .append(entry.id())
        .append(", accepted ")
        .append(date(entry.accepted()))
        .append(".\r\nThe header of your message is attached.\r\n");
    return t.toString();
  }

  private byte[] statusFields(
      Kind kind,
      SpoolEntry entry,
      List<Recipient> recipients,
      Optional<Instant> until,
      Instant now) {
    StringBuilder f = new StringBuilder();
    // RFC 3464 §2.2: per-message fields, then a blank line before each recipient's fields.
    f.append("Reporting-MTA: dns; ").append(reportingMta).append("\r\n");
    f.append("X-Mailseal-Queue-ID: ").append(entry.id()).append("\r\n");
    f.append("Arrival-Date: ").append(date(entry.accepted())).append("\r\n");
    for (Recipient r : recipients) {
      f.append("\r\n");
      f.append("Final-Recipient: rfc822; ").append(r.address()).append("\r\n");
      f.append("Action: ").append(kind.action).append("\r\n");
      f.append("Status: ").append(status(kind, r.lastReply())).append("\r\n");
      diagnostic(r.lastReply())
          .ifPresent(d -> f.append("Diagnostic-Code: ").append(d).append("\r\n"));
      f.append("Last-Attempt-Date: ").append(date(now)).append("\r\n");
      until.ifPresent(u -> f.append("Will-Retry-Until: ").append(date(u)).append("\r\n"));
    }
    return f.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The RFC 3463 status: the enhanced code of the reply when it has one of the right class; for
   * failed recipients without a 5.x.x code (expired after 4xx, or no reply) 4.4.7 "delivery time
   * expired" or 5.0.0; for delayed ones 4.0.0.
   */
  static String status(Kind kind, String reply) {
    Matcher m = STATUS.matcher(reply);
    String code = m.find() ? m.group() : null;
    if (kind == Kind.DELAYED) {
      return code != null && code.startsWith("4") ? code : "4.0.0";
    }
    if (code != null && code.startsWith("5")) {
      return code;
    }
    return reply.startsWith("expired") ? "4.4.7" : "5.0.0";
  }

  /**
   * {@code smtp; <reply>} when the reply is an SMTP reply, else our own words (RFC 3464 §2.3.6).
   */
  static Optional<String> diagnostic(String reply) {
    String flat = reply.replace('\r', ' ').replace('\n', ' ').strip();
    if (flat.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = SMTP_REPLY.matcher(flat);
    if (m.find()) {
      return Optional.of("smtp; " + m.group());
    }
    return Optional.of("X-mailseal; " + flat);
  }

  /** The original message's header section, up to the blank line, at most 64 KiB. */
  private static byte[] originalHeaders(Transport.MessageSource original) throws IOException {
    try (InputStream in = original.open()) {
      byte[] buf = in.readNBytes(MAX_ORIGINAL_HEADERS);
      int end = buf.length;
      for (int i = 0; i + 3 < buf.length; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
          end = i + 2;
          break;
        }
      }
      byte[] out = new byte[end];
      System.arraycopy(buf, 0, out, 0, end);
      return out;
    }
  }

  private static InternetAddress address(String address, String personal)
      throws MessagingException {
    try {
      return new InternetAddress(address, personal, "UTF-8");
    } catch (UnsupportedEncodingException e) {
      throw new ParseException("UTF-8 unsupported");
    }
  }

  private static boolean isAscii(byte[] b) {
    for (byte x : b) {
      if (x < 0) {
        return false;
      }
    }
    return true;
  }

  private static String date(Instant t) {
    return RFC5322.format(t.atOffset(ZoneOffset.UTC));
  }
}
