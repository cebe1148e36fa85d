// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import java.io.ByteArrayInputStream;
import java.util.Optional;
import org.mailseal.delivery.LocalSubmission;
import org.mailseal.dkim.DkimSignException;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.QueueId;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolException;
import org.mailseal.submission.SigningKeys;

/**
 * Messages mailseal writes itself (DSNs) take the path of submitted mail: signed with every ACTIVE
 * key of their From domain (or the nearest signing parent), then stored durably in the spool. As
 * for submitted mail, a From domain without an ACTIVE key is refused unless {@code
 * server.relay-unsigned} is set.
 */
public final class SignedSubmission implements LocalSubmission {
  private final SigningKeys keys;
  private final Spool spool;
  private final boolean relayUnsigned;

  public SignedSubmission(SigningKeys keys, Spool spool, boolean relayUnsigned) {
    this.keys = keys;
    this.spool = spool;
    this.relayUnsigned = relayUnsigned;
  }

  @Override
  public QueueId submit(EnvelopeDraft envelope, byte[] message) throws Refused {
    String domain = fromDomain(message);
    Optional<SigningKeys.DomainSigner> signer = keys.forFromDomain(domain);
    byte[] bytes;
    if (signer.isPresent()) {
      try {
        bytes = signer.get().signer().sign(message);
      } catch (DkimSignException e) {
        throw new Refused("cannot sign: " + e.getMessage(), false, e);
      }
    } else if (relayUnsigned) {
      bytes = message;
    } else {
      throw new Refused("no ACTIVE DKIM key for " + domain, true, null);
    }
    try {
      return spool.store(envelope, out -> out.write(bytes));
    } catch (SpoolException e) {
      throw new Refused("cannot store: " + e.getMessage(), true, e);
    }
  }

  private static String fromDomain(byte[] message) throws Refused {
    try {
      InternetHeaders h = new InternetHeaders(new ByteArrayInputStream(message));
      String from = h.getHeader("From", ",");
      InternetAddress[] a = from == null ? new InternetAddress[0] : InternetAddress.parse(from);
      if (a.length != 1 || a[0].getAddress().indexOf('@') < 0) {
        throw new Refused("message needs exactly one From address", false, null);
      }
      String address = a[0].getAddress();
      return address.substring(address.lastIndexOf('@') + 1);
    } catch (AddressException e) {
      throw new Refused("bad From: " + e.getMessage(), false, e);
    } catch (MessagingException e) {
      throw new Refused("bad header: " + e.getMessage(), false, e);
    }
  }
}
