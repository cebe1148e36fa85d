// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mailseal.config.MailsealConfig;
import org.mailseal.metrics.LogFormat;
import org.mailseal.relay.Configs;
import org.mailseal.relay.Relay;
import org.mailseal.relay.RelayException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code mailseal serve}: runs the relay until SIGTERM or SIGINT, then shuts down gracefully (new
 * sessions get 421, open ones may finish within server.shutdown-grace).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the relay: submission listeners, signing, the spool, delivery and key rotation.",
      "Stops gracefully on SIGTERM or Ctrl-C."
    })
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Configuration file (default: ${DEFAULT-VALUE}).",
      defaultValue = "config/mailseal.yaml")
  Path config;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    MailsealConfig c = Configs.load(config);
    if (c.logging().format() != MailsealConfig.LogFormat.PLAIN) {
      // logging.format: json (MAILSEAL_LOG_FORMAT, when set, wins; logback.xml reads it).
      LogFormat.applyConfigured(c.logging().format().tag(), System.getenv());
    }
    PrintWriter out = spec.commandLine().getOut();
    Relay relay = new Relay(c, out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          relay.stop();
          stopped.countDown();
        };
    Thread hook = new Thread(stop, "mailseal-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    // A signal that only ran the shutdown hook would end the JVM with 128+signal (143 for
    // SIGTERM), and a supervisor reads that as a failure. What we do: stop from the signal, let
    // call() return 0, and keep the hook for any other way the JVM ends.
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), s -> new Thread(stop, "mailseal-shutdown-" + name).start());
    }
    try {
      relay.start();
    } catch (RelayException | RuntimeException e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      relay.stop();
      throw e;
    }
    stopped.await();
    return 0;
  }
}
