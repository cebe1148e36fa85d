// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mailseal smarthost authorize}: the consent, run as an operator would. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SmarthostCommandTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    CommandLine cl = MailsealCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  Path config(String smarthost) throws Exception {
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(
        file,
        "delivery:\n  route: smarthost\n  smarthost:\n"
            + smarthost
            + "domains:\n  example.com: {}\n");
    return file;
  }

  @Test
  void aPasswordSmarthostIsRefusedInOneLine() throws Exception {
    Path c = config("    host: smtp.example.net\n");
    assertThat(run("smarthost", "authorize", "--config", c.toString())).isNotZero();
    assertThat(err.toString().strip())
        .isEqualTo(
            "mailseal: delivery.smarthost does not use OAuth2: set auth: oauth2 and an oauth2"
                + " block (client-id, refresh-token-file, provider)");
  }

  @Test
  void authorizeStoresTheRefreshTokenTheProviderGives() throws Exception {
    HttpServer provider =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    provider.createContext(
        "/token",
        ex -> {
          try (ex) {
            byte[] b =
                "{\"access_token\":\"at-1\",\"expires_in\":3600,\"refresh_token\":\"rt-1\"}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream os = ex.getResponseBody()) {
              os.write(b);
            }
          }
        });
    provider.start();
    try {
      String base = "http://127.0.0.1:" + provider.getAddress().getPort();
      Path refresh = dir.resolve("oauth-refresh-token");
      Path c =
          config(
              "    host: smtp.gmail.com\n    username: relay@example.com\n    auth: oauth2\n"
                  + "    oauth2:\n"
                  + "      token-endpoint: "
                  + base
                  + "/token\n      authorization-endpoint: "
                  + base
                  + "/authorize\n      scope: https://mail.google.com/\n"
                  + "      client-id: client-1\n      refresh-token-file: "
                  + refresh
                  + "\n");
      CompletableFuture<Integer> exit =
          CompletableFuture.supplyAsync(
              () -> run("smarthost", "authorize", "--config", c.toString(), "--wait", "1"));
      Pattern redirect = Pattern.compile("redirect_uri=([^&\\s]+).*state=([^&\\s]+)");
      await().atMost(Duration.ofSeconds(10)).until(() -> redirect.matcher(out.toString()).find());
      Matcher m = redirect.matcher(out.toString());
      assertThat(m.find()).isTrue();
      String back = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(back + "?code=c-1&state=" + m.group(2)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
      assertThat(Files.readString(refresh).strip()).isEqualTo("rt-1");
      assertThat(out.toString())
          .contains("Authorizing delivery.smarthost (smtp.gmail.com) as relay@example.com")
          .doesNotContain("rt-1")
          .doesNotContain("at-1");
    } finally {
      provider.stop(0);
    }
  }
}
