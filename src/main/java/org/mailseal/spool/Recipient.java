// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

/**
 * One envelope recipient of a spooled message and how delivery to it stands.
 *
 * @param address the address as given in {@code RCPT TO}, without angle brackets
 * @param state where delivery to this address stands
 * @param lastReply the text of the last reply from the next hop for this address (for example
 *     {@code "452 4.2.2 Mailbox full"}), or empty when none was had yet
 */
public record Recipient(String address, RecipientState state, String lastReply) {
  public Recipient {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("Recipient: address must not be blank");
    }
    if (state == null) {
      throw new IllegalArgumentException("Recipient: state must not be null");
    }
    if (lastReply == null) {
      throw new IllegalArgumentException("Recipient: lastReply must not be null (use \"\")");
    }
  }

  /** A recipient nothing has been tried for yet. */
  public static Recipient pending(String address) {
    return new Recipient(address, RecipientState.PENDING, "");
  }

  /** This recipient delivered, with the reply of the next hop. */
  public Recipient delivered(String reply) {
    return new Recipient(address, RecipientState.DELIVERED, reply);
  }

  /** This recipient refused for good, with the reply that says why. */
  public Recipient failed(String reply) {
    return new Recipient(address, RecipientState.FAILED, reply);
  }

  /** This recipient deferred (still pending), with the reply that says why. */
  public Recipient deferred(String reply) {
    return new Recipient(address, RecipientState.PENDING, reply);
  }
}
