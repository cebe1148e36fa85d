// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.mailseal.config.ConfigLocation;
import org.mailseal.config.MailsealConfig;
import org.mailseal.sendmail.LocalMessage;
import org.mailseal.sendmail.SendmailArgs;
import org.mailseal.sendmail.SendmailException;
import org.mailseal.sendmail.TrustedSubmission;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailseal sendmail}: the sendmail interface (what cron, {@code mail} and PHP call as
 * /usr/sbin/sendmail), submitting through the running relay's trusted listener.
 */
@Command(
    name = "sendmail",
    description = {
      "Send the message on standard input through the running relay's trusted listener, signed"
          + " like any other message: the sendmail interface that cron, mail and scripts use.",
      "Options as sendmail's: -t (recipients from To, Cc and Bcc), -f ADDR (envelope sender),"
          + " -i or -oi (a lone dot does not end the message), -F NAME (full name for an added"
          + " From); -B, -o..., -N, -R, -V, -h, -L, -X, -v and -bm are accepted and ignored, as"
          + " Postfix does.",
      "Bare names (root) get the origin domain: listeners.trusted.origin, else the first"
          + " signing domain."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the relay queued the message",
      "64:usage: unknown option, no recipient",
      "65:the relay refused the message",
      "67:the relay refused a recipient",
      "75:the relay is down or deferred (try again later)",
      "77:the trusted listener refused the sender",
      "78:no configuration, or no listeners.trusted in it"
    })
final class SendmailCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = ConfigLocation.HELP)
  Path config;

  @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Parameters(paramLabel = "ARG", description = "sendmail options, then recipients.")
  List<String> args = List.of();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  private final InputStream stdin;

  SendmailCommand() {
    this(System.in);
  }

  /** Reads the message from {@code stdin} (tests give their own). */
  SendmailCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() throws IOException {
    try {
      SendmailArgs parsed = SendmailArgs.parse(args);
      MailsealConfig c;
      try {
        c = ConfigCommand.load(ConfigLocation.find(config));
      } catch (CliException e) {
        throw new SendmailException(e.getMessage(), SendmailException.CONFIG);
      }
      MailsealConfig.Trusted trusted =
          c.listeners()
              .trusted()
              .orElseThrow(
                  () ->
                      new SendmailException(
                          c.file()
                              + ": listeners.trusted is off; mailseal sendmail submits through it",
                          SendmailException.CONFIG));
      String origin = trusted.origin().orElse(c.domainNames().get(0));
      LocalMessage message =
          LocalMessage.read(stdin, parsed, System.getProperty("user.name"), origin);
      TrustedSubmission relay =
          new TrustedSubmission(
              address(trusted.listener()), c.server().hostname(), Duration.ofSeconds(60));
      relay.submit(message);
      return 0;
    } catch (SendmailException e) {
      throw new CliException("sendmail: " + e.getMessage(), e.exitCode());
    }
  }

  /** The listener's address; a wildcard bind is reached on loopback. */
  static InetSocketAddress address(MailsealConfig.Listener l) throws SendmailException {
    try {
      InetAddress a = InetAddress.getByName(l.address());
      if (a.isAnyLocalAddress()) {
        a =
            a.getAddress().length == 4
                ? InetAddress.getByName("127.0.0.1")
                : InetAddress.getByName("::1");
      }
      return new InetSocketAddress(a, l.port());
    } catch (UnknownHostException e) {
      throw new SendmailException(
          "listeners.trusted.address: " + e.getMessage(), SendmailException.CONFIG);
    }
  }
}
