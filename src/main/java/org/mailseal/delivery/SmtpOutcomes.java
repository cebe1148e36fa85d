// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * How Jakarta Mail's SMTP client reports a transaction, turned into one {@link DeliveryOutcome} per
 * recipient: shared by the smarthost and MX transports.
 */
final class SmtpOutcomes {
  private SmtpOutcomes() {}

  /** The recipients as addresses for {@code sendMessage}. */
  static Address[] addresses(List<String> recipients) throws AddressException {
    List<Address> list = new ArrayList<>();
    for (String r : recipients) {
      list.add(new InternetAddress(r, false));
    }
    return list.toArray(new Address[0]);
  }

  /**
   * Per-recipient outcomes from a partial or total refusal, put in {@code out}; returns whether the
   * connection is still usable.
   */
  static boolean fromRefusal(
      SendFailedException e,
      List<String> recipients,
      Map<String, DeliveryOutcome> out,
      SMTPTransport t) {
    Map<String, DeliveryOutcome> failed = new HashMap<>();
    DeliveryOutcome whole = null;
    for (Exception x = e;
        x != null;
        x = x instanceof MessagingException m ? m.getNextException() : null) {
      if (x instanceof SMTPAddressFailedException af) {
        failed.put(
            af.getAddress().getAddress().toLowerCase(java.util.Locale.ROOT),
            outcome(af.getReturnCode(), af.getMessage()));
      } else if (x instanceof SMTPSendFailedException sf && sf.getReturnCode() >= 400) {
        whole = outcome(sf.getReturnCode(), sf.getMessage());
      }
    }
    for (String r : recipients) {
      DeliveryOutcome o = failed.get(r.toLowerCase(java.util.Locale.ROOT));
      if (o == null) {
        o = whole;
      }
      if (o == null) {
        boolean sent = false;
        if (e.getValidSentAddresses() != null) {
          for (Address a : e.getValidSentAddresses()) {
            sent |= ((InternetAddress) a).getAddress().equalsIgnoreCase(r);
          }
        }
        o =
            sent
                ? new DeliveryOutcome.Delivered(reply(t))
                : new DeliveryOutcome.Deferred("not sent: " + describe(e));
      }
      out.put(r, o);
    }
    return t.isConnected();
  }

  static DeliveryOutcome outcome(int code, String text) {
    String reply = text == null ? String.valueOf(code) : text.strip();
    return code >= 500 ? new DeliveryOutcome.Bounced(reply) : new DeliveryOutcome.Deferred(reply);
  }

  /** The last reply of the server, for the log and the envelope. */
  static String reply(SMTPTransport t) {
    String r = t.getLastServerResponse();
    return r == null ? "250" : r.strip();
  }

  /** An exception and its causes on one line, at most about 300 characters. */
  static String describe(Exception e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable x = e; x != null && sb.length() < 300; x = x.getCause()) {
      if (sb.length() > 0) {
        sb.append(": ");
      }
      sb.append(x.getMessage() == null ? x.getClass().getSimpleName() : x.getMessage().strip());
      if (x.getCause() == x) {
        break;
      }
    }
    return sb.toString().replace('\n', ' ').replace('\r', ' ');
  }

  static void closeQuietly(SMTPTransport t) {
    try {
      t.close();
    } catch (MessagingException e) {
      // already gone
    }
  }
}
