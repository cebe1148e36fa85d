// SPDX-License-Identifier: Apache-2.0
package org.mailseal.submission;

import java.net.InetAddress;

/**
 * Checks a user name and password for the SMTP AUTH mechanisms. The implementation owns the
 * throttling of failures; the server only turns its answer into a reply.
 */
@FunctionalInterface
public interface Logins {
  /** What became of one login attempt. */
  sealed interface Result permits Accepted, Refused {}

  /**
   * @param user the canonical user name, as the sender policy knows it
   * @param appPassword the name of the app password used, empty for the main password
   */
  record Accepted(String user, java.util.Optional<String> appPassword) implements Result {}

  /**
   * @param code 535 for bad credentials, 454 or 421 when throttled or locked out
   * @param text the reply text after the code, with its enhanced status code
   */
  record Refused(int code, String text) implements Result {}

  /**
   * Never logs or keeps the password; the caller wipes the array afterwards.
   *
   * @param client the client's address (after any PROXY protocol header)
   */
  Result login(String user, char[] password, InetAddress client);
}
