// SPDX-License-Identifier: Apache-2.0
package org.mailseal.spool;

import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * The name of one spooled message, shown to the client in {@code 250 2.0.0 queued as ID} and in
 * every log line about it.
 *
 * <p>16 characters of Crockford base32 (digits and upper-case letters without I, L, O, U): the
 * first 48 bits are the acceptance time in epoch milliseconds, the last 32 bits are random. The
 * alphabet is in ASCII order, so ids sort by acceptance time (to the millisecond) as plain strings,
 * and they are safe as file names on every file system we care about, including case-insensitive
 * ones.
 *
 * @param value the 16 characters
 */
public record QueueId(String value) implements Comparable<QueueId> {
  /** Length of every id. */
  public static final int LENGTH = 16;

  private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  private static final long MAX_MILLIS = (1L << 48) - 1;

  public QueueId {
    if (value == null || value.length() != LENGTH) {
      throw new IllegalArgumentException("QueueId: must be " + LENGTH + " characters");
    }
    for (int i = 0; i < LENGTH; i++) {
      if (ALPHABET.indexOf(value.charAt(i)) < 0) {
        throw new IllegalArgumentException("QueueId: invalid character at " + i);
      }
    }
  }

  /**
   * A fresh id for a message accepted at {@code now}.
   *
   * @param random the source of the 32 random bits; production passes a {@code SecureRandom} so
   *     that ids cannot be guessed
   */
  public static QueueId next(Instant now, RandomGenerator random) {
    long millis = now.toEpochMilli();
    if (millis < 0 || millis > MAX_MILLIS) {
      throw new IllegalArgumentException("QueueId: time out of range: " + now);
    }
    long rand = random.nextInt() & 0xFFFF_FFFFL;
    // 80 bits: 48 of time then 32 of randomness, as 16 groups of 5 bits, most significant first.
    long high = (millis << 2) | (rand >>> 30); // first 50 bits -> 10 characters
    long low = rand & 0x3FFF_FFFFL; // last 30 bits -> 6 characters
    char[] out = new char[LENGTH];
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET.charAt((int) (high & 31));
      high >>>= 5;
    }
    for (int i = 15; i >= 10; i--) {
      out[i] = ALPHABET.charAt((int) (low & 31));
      low >>>= 5;
    }
    return new QueueId(new String(out));
  }

  /** The id written as {@code text}; throws {@link IllegalArgumentException} when it is not one. */
  public static QueueId parse(String text) {
    return new QueueId(text);
  }

  /** Whether {@code text} is a well-formed id. */
  public static boolean isValid(String text) {
    try {
      new QueueId(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The acceptance time encoded in the id, to the millisecond. */
  public Instant time() {
    long high = 0;
    for (int i = 0; i < 10; i++) {
      high = (high << 5) | ALPHABET.indexOf(value.charAt(i));
    }
    return Instant.ofEpochMilli(high >>> 2);
  }

  @Override
  public int compareTo(QueueId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
