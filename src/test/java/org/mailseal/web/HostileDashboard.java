// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.mailseal.keys.KeyState;

/**
 * A dashboard whose every text carries markup: a domain, a selector, a record, a DNS answer, a
 * DMARC source and a queue reply as a hostile DNS server, key store file or SMTP peer might give
 * them. The pages must show them as text. It also counts the actions called, so a test can see that
 * a refused POST did nothing.
 */
final class HostileDashboard implements Dashboard {
  static final String DOMAIN = "<script>alert('domain')</script>.example";
  static final String SELECTOR = "s1\"><svg onload=alert('selector')>";
  static final String REPLY = "451 <img src=x onerror=alert('reply')> & <b>busy</b>";
  static final String QUEUE_ID = "Q<i>1</i>";
  final List<String> actions = new ArrayList<>();
  private final Instant now;

  HostileDashboard(Instant now) {
    this.now = now;
  }

  @Override
  public List<Domain> domains() {
    Key k =
        new Key(
            SELECTOR,
            "rsa",
            2048,
            KeyState.PENDING,
            now.minusSeconds(86400),
            null,
            null,
            null,
            now.plusSeconds(86400),
            null,
            SELECTOR + "._domainkey." + DOMAIN,
            "v=DKIM1; p=<script>alert('record')</script>");
    Dns r =
        new Dns(
            k.recordName(),
            "TXT",
            k.record(),
            "comment <u>x</u>",
            DnsState.DIFFERENT,
            "found: <script>alert('found')</script>");
    return List.of(
        new Domain(
            DOMAIN,
            List.of(k),
            now.plusSeconds(7 * 86400),
            List.of(r),
            now,
            new RecordFormats("<bind>", "<table>", "<json>"),
            new Spf(true, "v=spf1 <x> -all", 3, List.of("<problem>")),
            new Dmarc(
                "p=none",
                "<verdict>",
                false,
                List.of(new DmarcDay(LocalDate.of(2026, 12, 1), 10, 2)),
                List.of(new DmarcSource("192.0.2.1", "<source>", 12, 10, "<ok>")))));
  }

  @Override
  public Queue queue(int max) {
    Message m =
        new Message(
            QUEUE_ID,
            "<sender>@example",
            List.of(new Recipient("<rcpt>@example", "PENDING", REPLY)),
            1,
            now.minusSeconds(600),
            now.plusSeconds(600),
            false);
    return new Queue(
        1,
        m.accepted(),
        max > 0 ? List.of(m) : List.of(),
        List.of(new Upstream("<upstream>", 1, REPLY)));
  }

  @Override
  public synchronized List<Dns> checkDns(String domain) {
    actions.add("check " + domain);
    return domains().get(0).records();
  }

  @Override
  public synchronized ActionResult retry(String queueId) {
    actions.add("retry " + queueId);
    return new ActionResult(true, "retried <" + queueId + ">");
  }

  @Override
  public synchronized ActionResult bounce(String queueId) {
    actions.add("bounce " + queueId);
    return new ActionResult(true, "bounced <" + queueId + ">");
  }

  synchronized List<String> actions() {
    return List.copyOf(actions);
  }
}
