// SPDX-License-Identifier: Apache-2.0
package org.mailseal.sendmail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A sendmail command line, parsed as Postfix's {@code sendmail} reads it: the options that matter
 * here, the ones accepted and ignored, and the recipients.
 *
 * @param readRecipients {@code -t}: take recipients from To, Cc and Bcc, and drop Bcc
 * @param ignoreDots {@code -i} or {@code -oi}: a line with a single dot does not end the message
 * @param sender {@code -f} or {@code -r}: the envelope sender
 * @param fullName {@code -F}: the sender's full name, used when the message has no From
 * @param recipients the arguments after the options
 */
public record SendmailArgs(
    boolean readRecipients,
    boolean ignoreDots,
    Optional<String> sender,
    Optional<String> fullName,
    List<String> recipients) {

  public SendmailArgs {
    recipients = List.copyOf(recipients);
  }

  /** Options with a value (attached, {@code -fuser}, or next, {@code -f user}) that are ignored. */
  private static final Set<Character> IGNORED_WITH_VALUE =
      Set.of('B', 'C', 'L', 'N', 'O', 'R', 'V', 'X', 'h', 'p', 'q');

  /** Options without a value that are ignored (verbose, and the like). */
  private static final Set<Character> IGNORED_FLAGS = Set.of('v', 'n', 'U', 'G', 'm', 'A');

  /**
   * @throws SendmailException with {@link SendmailException#USAGE} for an unknown option, a missing
   *     value, or a mode other than delivering a message ({@code -bm}, the default)
   */
  public static SendmailArgs parse(List<String> args) throws SendmailException {
    boolean t = false;
    boolean i = false;
    Optional<String> sender = Optional.empty();
    Optional<String> name = Optional.empty();
    List<String> recipients = new ArrayList<>();
    int k = 0;
    while (k < args.size()) {
      String a = args.get(k);
      if (a.equals("--")) {
        k++;
        break;
      }
      if (!a.startsWith("-") || a.length() < 2) {
        break;
      }
      char opt = a.charAt(1);
      String attached = a.substring(2);
      switch (opt) {
        case 't':
          alone(a);
          t = true;
          k++;
          continue;
        case 'i':
          alone(a);
          i = true;
          k++;
          continue;
        case 'o':
          // -oi is -i; -oem, -odb, -oQ… are accepted and ignored (as Postfix does).
          String o = attached.isEmpty() ? value(args, k, a) : attached;
          if (o.equals("i")) {
            i = true;
          }
          k += attached.isEmpty() ? 2 : 1;
          continue;
        case 'b':
          String mode = attached.isEmpty() ? value(args, k, a) : attached;
          if (!mode.equals("m")) {
            throw new SendmailException(
                "-b" + mode + ": only -bm (deliver a message from standard input) is supported",
                SendmailException.USAGE);
          }
          k += attached.isEmpty() ? 2 : 1;
          continue;
        case 'f':
        case 'r':
          sender = Optional.of(attached.isEmpty() ? value(args, k, a) : attached);
          k += attached.isEmpty() ? 2 : 1;
          continue;
        case 'F':
          name = Optional.of(attached.isEmpty() ? value(args, k, a) : attached);
          k += attached.isEmpty() ? 2 : 1;
          continue;
        default:
          if (IGNORED_WITH_VALUE.contains(opt)) {
            if (attached.isEmpty()) {
              value(args, k, a);
              k += 2;
            } else {
              k++;
            }
            continue;
          }
          if (IGNORED_FLAGS.contains(opt) && attached.isEmpty()) {
            k++;
            continue;
          }
          throw new SendmailException("unknown option " + a, SendmailException.USAGE);
      }
    }
    recipients.addAll(args.subList(k, args.size()));
    return new SendmailArgs(t, i, sender, name, recipients);
  }

  private static void alone(String arg) throws SendmailException {
    if (arg.length() != 2) {
      throw new SendmailException("unknown option " + arg, SendmailException.USAGE);
    }
  }

  private static String value(List<String> args, int k, String option) throws SendmailException {
    if (k + 1 >= args.size()) {
      throw new SendmailException(option + " needs a value", SendmailException.USAGE);
    }
    return args.get(k + 1);
  }
}
