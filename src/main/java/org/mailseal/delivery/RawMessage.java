// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * A spooled message handed to Jakarta Mail's SMTP client exactly as stored: {@link
 * #writeTo(OutputStream, String[])} copies the signed bytes, and nothing Jakarta Mail would
 * otherwise do (new Message-ID, re-encoding, dropping Bcc) touches them; a changed byte would break
 * the DKIM signatures.
 */
final class RawMessage extends SMTPMessage {
  private final Transport.MessageSource source;

  RawMessage(Session session, Transport.MessageSource source, String envelopeFrom) {
    super(session);
    this.source = source;
    // "<>" is sent as the null sender (bounces); Angus keeps angle brackets it is given.
    setEnvelopeFrom(envelopeFrom.isEmpty() ? "<>" : envelopeFrom);
  }

  @Override
  public void writeTo(OutputStream os, String[] ignoreList) throws IOException, MessagingException {
    try (InputStream in = source.open()) {
      in.transferTo(os);
    }
  }

  @Override
  public void writeTo(OutputStream os) throws IOException, MessagingException {
    writeTo(os, null);
  }

  @Override
  public void saveChanges() {
    // The bytes are final: nothing to update.
  }

  @Override
  protected void updateMessageID() {}
}
