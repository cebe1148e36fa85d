// SPDX-License-Identifier: Apache-2.0
package org.mailseal.dkim;

/**
 * The outcome of verifying one DKIM-Signature, in the vocabulary of Authentication-Results (RFC
 * 8601 §2.7.1). Every case carries the signature's {@code d=}, {@code s=} and {@code a=} (empty
 * when they could not be read) and a reason (empty for a pass).
 */
public sealed interface VerificationResult
    permits VerificationResult.Pass,
        VerificationResult.Fail,
        VerificationResult.Neutral,
        VerificationResult.TempError,
        VerificationResult.PermError {

  /** {@code pass}, {@code fail}, {@code neutral}, {@code temperror} or {@code permerror}. */
  String result();

  /** Why it did not pass; empty for a pass. */
  String reason();

  String domain();

  String selector();

  String algorithm();

  /** The signature verified. */
  record Pass(String domain, String selector, String algorithm) implements VerificationResult {
    @Override
    public String result() {
      return "pass";
    }

    @Override
    public String reason() {
      return "";
    }
  }

  /** The signature was checked and is wrong: the message changed, or the key says no. */
  record Fail(String domain, String selector, String algorithm, String reason)
      implements VerificationResult {
    @Override
    public String result() {
      return "fail";
    }
  }

  /** The signature did not verify, but its key is marked as testing ({@code t=y}). */
  record Neutral(String domain, String selector, String algorithm, String reason)
      implements VerificationResult {
    @Override
    public String result() {
      return "neutral";
    }
  }

  /** The key could not be fetched now; asking again later may succeed. */
  record TempError(String domain, String selector, String algorithm, String reason)
      implements VerificationResult {
    @Override
    public String result() {
      return "temperror";
    }
  }

  /** The signature or its key record cannot be used at all. */
  record PermError(String domain, String selector, String algorithm, String reason)
      implements VerificationResult {
    @Override
    public String result() {
      return "permerror";
    }
  }
}
