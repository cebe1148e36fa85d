// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.delivery.ConfiguredSmarthosts;
import org.mailseal.oauth.LoopbackAuthorization;
import org.mailseal.oauth.OAuthClient;
import org.mailseal.oauth.OAuthException;
import org.mailseal.oauth.Provider;
import org.mailseal.oauth.RefreshTokenFile;
import org.mailseal.oauth.TokenClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mailseal smarthost …}: the relay's upstreams. */
@Command(
    name = "smarthost",
    mixinStandardHelpOptions = true,
    description = "Work with the smarthosts mail is relayed through.",
    subcommands = {SmarthostCommand.Authorize.class})
final class SmarthostCommand {
  private SmarthostCommand() {}

  /**
   * {@code mailseal smarthost authorize}: the one-time OAuth2 consent that stores the refresh token
   * of an {@code auth: oauth2} smarthost. Run it again when mailseal says the token was refused.
   */
  @Command(
      name = "authorize",
      mixinStandardHelpOptions = true,
      description =
          "Give mailseal OAuth2 access to a smarthost account (Gmail, Microsoft 365): prints an"
              + " address to open in a browser, waits on 127.0.0.1 for the answer, and stores the"
              + " refresh token in oauth2.refresh-token-file (mode 0600). No token is printed.")
  static final class Authorize implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Configuration file (default: ${DEFAULT-VALUE}).",
        defaultValue = "config/mailseal.yaml")
    Path config;

    @Option(
        names = "--smarthost",
        paramLabel = "NAME",
        description = "A smarthost of delivery.smarthosts (default: delivery.smarthost).")
    String name;

    @Option(
        names = "--provider",
        paramLabel = "google|microsoft",
        description = "Use this provider's endpoints and scope instead of the configured ones.")
    String provider;

    @Option(
        names = "--port",
        paramLabel = "PORT",
        description = "Loopback port for the browser's redirect (default: any free one).",
        defaultValue = "0")
    int port;

    @Option(
        names = "--wait",
        paramLabel = "MINUTES",
        description = "How long to wait for the browser (default: ${DEFAULT-VALUE}).",
        defaultValue = "10")
    int waitMinutes;

    @Override
    public Integer call() {
      MailsealConfig c = ConfigCommand.load(config == null ? ConfigLoader.DEFAULT : config);
      String key = name == null ? "delivery.smarthost" : "delivery.smarthosts." + name;
      MailsealConfig.Smarthost sh =
          name == null
              ? c.delivery().smarthost()
              : Optional.ofNullable(c.delivery().smarthosts().get(name))
                  .orElseThrow(
                      () ->
                          new CliException(
                              "no smarthost "
                                  + name
                                  + " in delivery.smarthosts "
                                  + c.delivery().smarthosts().keySet()));
      MailsealConfig.OAuth2 o =
          sh.oauth2()
              .orElseThrow(
                  () ->
                      new CliException(
                          key
                              + " does not use OAuth2: set auth: oauth2 and an oauth2 block"
                              + " (client-id, refresh-token-file, provider)"));
      OAuthClient client = ConfiguredSmarthosts.oauthClient(o);
      if (provider != null) {
        Provider p;
        try {
          p = Provider.valueOf(provider.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new CliException("--provider must be google or microsoft, found " + provider);
        }
        client =
            new OAuthClient(
                p.tokenEndpoint(o.tenant()),
                p.authorizationEndpoint(o.tenant()),
                o.clientId(),
                client.clientSecret(),
                p.scope(),
                p.extraAuthorizationParameters());
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "Authorizing "
              + key
              + " ("
              + sh.host()
              + ") as "
              + (sh.username().isEmpty() ? "the account you sign in with" : sh.username())
              + ": sign in with that account.");
      try {
        new LoopbackAuthorization(new TokenClient(client), new SecureRandom())
            .run(
                new RefreshTokenFile(o.refreshTokenFile()),
                port,
                Duration.ofMinutes(waitMinutes),
                out);
      } catch (OAuthException e) {
        throw new CliException("authorization failed: " + e.getMessage(), 1);
      } catch (IOException e) {
        throw new CliException("authorization failed: " + e.getMessage(), 1);
      }
      out.println(
          "A running mailseal picks the new token up within seconds and sends what is queued.");
      out.flush();
      return 0;
    }
  }
}
