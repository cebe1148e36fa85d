// SPDX-License-Identifier: Apache-2.0
package org.mailseal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.metrics.AdminServer;
import org.mailseal.metrics.RelayMetrics;
import org.mailseal.oauth.AccessTokens;
import org.mailseal.oauth.OAuthClient;
import org.mailseal.oauth.RefreshTokenFile;
import org.mailseal.oauth.TokenClient;
import org.mailseal.spool.EnvelopeDraft;
import org.mailseal.spool.RetrySchedule;
import org.mailseal.spool.Spool;
import org.mailseal.spool.SpoolOptions;
import org.mailseal.testing.MutableClock;
import org.slf4j.LoggerFactory;

/**
 * XOAUTH2 to GreenMail, whose password for the relay's user is always the access token the test's
 * token endpoint issued last: a stale or unrefreshed token is refused with 535, as Gmail would.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OAuthSmarthostTest {
  static final String USER = "relay@example.com";
  static final long LIFETIME = 30;

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  final Logger ours = (Logger) LoggerFactory.getLogger("org.mailseal");
  Level oursWas;
  GreenMail greenMail;
  TokenEndpoint endpoint;
  Path refreshFile;
  Spool spool;

  @BeforeEach
  void start() throws Exception {
    GreenMailTls.configure();
    greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS));
    greenMail.setUser(USER, USER, "no-token-yet");
    greenMail.start();
    endpoint =
        new TokenEndpoint(
            "1//refresh-0",
            LIFETIME,
            token -> greenMail.getUserManager().getUser(USER).setPassword(token));
    refreshFile = dir.resolve("state/oauth-refresh-token");
    new RefreshTokenFile(refreshFile).write("1//refresh-0");
    spool =
        Spool.open(
            dir.resolve("spool"), clock, SpoolOptions.defaults(new SecureRandom()).withoutFsync());
    logs.start();
    root.addAppender(logs);
    oursWas = ours.getLevel();
    ours.setLevel(Level.DEBUG);
  }

  @AfterEach
  void stop() {
    ours.setLevel(oursWas);
    root.detachAppender(logs);
    spool.close();
    endpoint.close();
    greenMail.stop();
  }

  SmarthostTransport transport() throws Exception {
    OAuthClient client =
        new OAuthClient(
            endpoint.uri(),
            endpoint.uri(),
            "client-1",
            Optional.of(() -> "client-secret-1"),
            "https://mail.google.com/",
            "");
    AccessTokens tokens =
        new AccessTokens(
            "default", new TokenClient(client), new RefreshTokenFile(refreshFile), clock);
    return new SmarthostTransport(
        new SmarthostTransport.Settings(
            SmarthostTransport.DEFAULT_NAME,
            "localhost",
            greenMail.getSmtps().getPort(),
            SmarthostTransport.Security.IMPLICIT,
            new SmarthostCredentials.OAuth2(USER, tokens, "mailseal smarthost authorize"),
            CheckedTls.fromCaFile(GreenMailTls.CA),
            2,
            Duration.ofSeconds(10),
            "relay.example.com"),
        clock);
  }

  DeliveryWorker worker(Transport t) {
    return new DeliveryWorker(
        spool,
        t,
        RetrySchedule.defaults(new Random(1)).withJitter(0),
        clock,
        new Bouncer(new RecordingSubmission(), "relay.example.com", clock));
  }

  void queue(int n, int from) throws Exception {
    for (int i = from; i < from + n; i++) {
      spool.store(
          EnvelopeDraft.submitted("alice@example.com", List.of("bob@example.org"), "alice"),
          new ByteArrayInputStream(
              ("From: alice@example.com\r\nSubject: m" + i + "\r\n\r\nbody\r\n")
                  .getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void fiftyMessagesOverSeveralTokenLifetimesArriveWithRotatedTokensNeverLogged() throws Exception {
    try (SmarthostTransport t = transport()) {
      DeliveryWorker w = worker(t);
      for (int batch = 0; batch < 5; batch++) {
        if (batch == 3) {
          // The server revokes the cached token early: 535, one renewal, then the message goes.
          greenMail.getUserManager().getUser(USER).setPassword("revoked-by-the-server");
        } else {
          clock.advance(Duration.ofSeconds(LIFETIME + 1)); // the cached token has expired
        }
        queue(10, batch * 10);
        assertThat(w.runOnce(100)).isEqualTo(10);
        assertThat(spool.depth()).as("batch %d delivered", batch).isZero();
        t.close(); // the server drops idle connections: the next batch authenticates again
      }
      assertThat(greenMail.waitForIncomingEmail(10_000, 50)).isTrue();
      assertThat(greenMail.getReceivedMessages()).hasSize(50);
      assertThat(endpoint.refreshes.get()).isEqualTo(5);
      // Every rotated refresh token was stored, 0600.
      assertThat(Files.readString(refreshFile).strip()).isEqualTo(endpoint.refreshToken);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(refreshFile)))
          .isEqualTo("rw-------");
      assertThat(t.health().isDown()).isFalse();
    }
    assertNoSecretLogged();
  }

  @Test
  void invalidGrantKeepsMailQueuedTellsReadyAndMetricsAndResumesAfterANewConsent()
      throws Exception {
    endpoint.refuse = true;
    RelayMetrics metrics = new RelayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    try (SmarthostTransport t = transport()) {
      Upstreams upstreams = new Upstreams(List.of(t), clock, metrics);
      AdminServer ready =
          new AdminServer(
              "127.0.0.1",
              0,
              (PrometheusMeterRegistry) metrics.registry(),
              metrics,
              List.of(),
              upstreams::failing);
      ready.start();
      try {
        DeliveryWorker w = worker(t);
        upstreams.whenRecovered(w::release);
        queue(5, 0);
        assertThat(w.runOnce(100)).isEqualTo(5);
        for (int i = 0; i < 60; i++) { // probes keep failing for a minute: reported once
          clock.advance(Duration.ofSeconds(1));
          upstreams.tick();
        }
        assertThat(spool.depth()).isEqualTo(5);
        assertThat(greenMail.getReceivedMessages()).isEmpty();
        List<ILoggingEvent> errors =
            logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).getFormattedMessage())
            .contains("upstream=default class=auth")
            .contains("invalid_grant")
            .contains("run: mailseal smarthost authorize");
        String scrape = UpstreamRecoveryTest.scrape(metrics);
        assertThat(scrape).contains("mailseal_upstream_up{upstream=\"default\"} 0.0");
        assertThat(scrape)
            .contains("mailseal_upstream_last_failure{class=\"auth\",upstream=\"default\"} 1.0");
        HttpResponse<String> r = get(ready.port());
        assertThat(r.statusCode()).isEqualTo(200); // mail is still accepted and queued
        assertThat(r.body())
            .startsWith("ready\n")
            .contains("upstream default: the OAuth2 refresh token for the smarthost default")
            .contains("mailseal smarthost authorize")
            .contains("5 messages waiting");

        // The owner runs smarthost authorize: a new refresh token lands in the file.
        endpoint.refreshToken = "1//new-consent";
        endpoint.tokens.add("1//new-consent");
        endpoint.refuse = false;
        new RefreshTokenFile(refreshFile).write("1//new-consent");
        clock.advance(Duration.ofSeconds(1));
        upstreams.tick();
        assertThat(t.health().isDown()).isFalse();
        assertThat(w.runOnce(100)).isEqualTo(5);
        assertThat(spool.depth()).isZero();
        assertThat(greenMail.waitForIncomingEmail(10_000, 5)).isTrue();
        assertThat(UpstreamRecoveryTest.scrape(metrics))
            .contains("mailseal_upstream_up{upstream=\"default\"} 1.0");
        assertThat(get(ready.port()).body()).isEqualTo("ready\n");
      } finally {
        ready.stop();
      }
    }
    assertNoSecretLogged();
  }

  static HttpResponse<String> get(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/ready"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  void assertNoSecretLogged() {
    assertThat(logs.list).isNotEmpty();
    for (ILoggingEvent e : logs.list) {
      String line =
          e.getFormattedMessage()
              + (e.getThrowableProxy() == null
                  ? ""
                  : ThrowableProxyUtil.asString(e.getThrowableProxy()));
      for (String token : endpoint.tokens) {
        assertThat(line).as("log line %s", line).doesNotContain(token);
      }
      assertThat(line).doesNotContain("client-secret-1");
    }
  }
}
