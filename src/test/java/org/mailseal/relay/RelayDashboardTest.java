// SPDX-License-Identifier: Apache-2.0
package org.mailseal.relay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.User;
import org.mailseal.auth.UserStore;
import org.mailseal.cli.ServeProcess;
import org.mailseal.config.ConfigLoader;
import org.mailseal.config.MailsealConfig;
import org.mailseal.keys.DkimKey;
import org.mailseal.keys.FileKeyStore;
import org.mailseal.policy.SenderPattern;
import org.mailseal.reports.FileReportStore;
import org.mailseal.reports.ReportImporter;
import org.mailseal.reports.ReportLimits;
import org.mailseal.reports.ReportParser;
import org.mailseal.reports.ReportReader;
import org.mailseal.testing.CheapHash;
import org.mailseal.testing.TestCertificate;
import org.mailseal.testing.ZoneServer;

/**
 * The running relay serves its dashboard when {@code web:} is configured: over HTTPS with the
 * listeners' certificate, to users with the admin role, with the relay's keys and its {@code dns
 * check}.
 */
@Timeout(60)
class RelayDashboardTest {
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  @TempDir Path dir;
  ZoneServer zone;

  @BeforeEach
  void startDns() throws Exception {
    zone = ZoneServer.start("example.com", "");
  }

  @AfterEach
  void stopDns() {
    zone.close();
  }

  @Test
  void theRelayServesItsDashboardToAdminUsersOnly() throws Exception {
    List<String> lines = new ArrayList<>(ServeProcess.loopbackListeners(dir));
    lines.addAll(
        List.of(
            "keys:",
            "  directory: " + dir.resolve("keys"),
            "  dns-export: " + dir.resolve("dns"),
            "spool:",
            "  directory: " + dir.resolve("spool"),
            "delivery:",
            "  route: file",
            "  file:",
            "    directory: " + dir.resolve("outbox"),
            "admin: {enabled: false}",
            "web: {address: 127.0.0.1, port: 0}",
            "domains:",
            "  example.com:",
            "    algorithms: [ed25519]",
            "    rotation: {dns-check: servers, dns-servers: [\"" + zone.hostPort() + "\"]}",
            ""));
    Path file = dir.resolve("mailseal.yaml");
    Files.writeString(file, String.join("\n", lines));
    MailsealConfig config = ConfigLoader.load(file);
    TestCertificate.placeAsSelfSigned(config.tls().selfSignedDirectory());
    PasswordHasher hasher = new PasswordHasher(new SecureRandom());
    UserStore users = new UserStore(config.users().file(), Clock.systemUTC());
    for (String name : List.of("admin@example.com", "alice@example.com")) {
      User u = new User(name, CheapHash.of("pw"), List.of(SenderPattern.parse(name)));
      // users add --admin
      users.put(name.startsWith("admin") ? u.withAdmin(true) : u);
    }
    // A receiver's report of yesterday, as dmarc import or fetch would have stored it.
    long yesterday = Instant.now().minus(Duration.ofDays(1)).getEpochSecond();
    String xml =
        Files.readString(Path.of("src/test/resources/reports/rfc7489-several-records.xml"))
            .replaceFirst("<begin>\\d+</begin>", "<begin>" + yesterday + "</begin>")
            .replaceFirst("<end>\\d+</end>", "<end>" + (yesterday + 3600) + "</end>");
    new ReportImporter(
            new ReportReader(new ReportParser(ReportLimits.DEFAULT)),
            new FileReportStore(config.dmarc().reports().directory()))
        .importStream("yesterday.xml", new ByteArrayInputStream(xml.getBytes(UTF_8)));
    try (Relay relay = new Relay(config, new PrintWriter(new StringWriter()))) {
      relay.start();
      URI base = relay.webUri().orElseThrow();
      assertThat(base.getScheme()).isEqualTo("https");
      Session alice = new Session(client(config));
      HttpResponse<String> refused = login(alice, base, "alice@example.com");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).contains("This user may not use the dashboard.");
      Session admin = new Session(client(config));
      HttpResponse<String> in = login(admin, base, "admin@example.com");
      assertThat(in.statusCode()).as(in.body()).isEqualTo(303);

      String overview = get(admin, base, "/").body();
      List<DkimKey> keys = new FileKeyStore(config.keys().directory(), Clock.systemUTC()).list();
      assertThat(keys).isNotEmpty();
      assertThat(overview).contains("<h2 id=\"d-example-com\">example.com</h2>");
      for (DkimKey k : keys) {
        assertThat(overview).contains(k.state() + " " + k.selector().value() + " (ed25519)");
      }
      String csrf = csrf(overview);
      HttpResponse<String> check =
          admin.send(post(base, "/dns/check", "csrf=" + enc(csrf) + "&domain=example.com"));
      assertThat(check.statusCode()).isEqualTo(303);
      String dns = get(admin, base, "/dns").body();
      assertThat(dns).contains("Checked example.com: 0 of 3 records ok.");
      assertThat(dns).contains("data-state=\"MISSING\"").doesNotContain("data-state=\"OK\"");
      // Publish the export: the next check finds every record.
      zone.setZone(Files.readString(dir.resolve("dns").resolve("example.com.zone")));
      admin.send(post(base, "/dns/check", "csrf=" + enc(csrf) + "&domain=example.com"));
      assertThat(get(admin, base, "/dns").body())
          .contains("Checked example.com: 3 of 3 records ok.");
      // The reports issue has landed: the DMARC page shows what the stored reports say.
      String dmarc = get(admin, base, "/dmarc").body();
      assertThat(dmarc).doesNotContain("No reports read yet").contains("192.0.2.");
    }
  }

  private static HttpClient client(MailsealConfig config) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in =
        Files.newInputStream(config.tls().selfSignedDirectory().resolve("selfsigned.crt"))) {
      trust.setCertificateEntry(
          "relay", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), new SecureRandom());
    return HttpClient.newBuilder()
        .sslContext(tls)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** One browser's cookies, sent back as a browser would (the JDK's CookieManager does not). */
  private static final class Session {
    final HttpClient http;
    final Map<String, String> cookies = new LinkedHashMap<>();

    Session(HttpClient http) {
      this.http = http;
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
      if (!cookies.isEmpty()) {
        b.header(
            "Cookie",
            cookies.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("; ")));
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      for (String set : r.headers().allValues("Set-Cookie")) {
        String[] pair = set.split(";", 2)[0].split("=", 2);
        cookies.put(pair[0], pair[1]);
      }
      return r;
    }
  }

  private static HttpResponse<String> login(Session c, URI base, String user) throws Exception {
    String csrf = csrf(get(c, base, "/login").body());
    return c.send(
        post(base, "/login", "csrf=" + enc(csrf) + "&user=" + enc(user) + "&password=pw"));
  }

  private static HttpResponse<String> get(Session c, URI base, String path) throws Exception {
    return c.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)));
  }

  private static HttpRequest.Builder post(URI base, String path, String form) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
  }

  private static String csrf(String html) {
    Matcher m = CSRF.matcher(html);
    assertThat(m.find()).as("a CSRF token in the page").isTrue();
    return m.group(1);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
