// SPDX-License-Identifier: Apache-2.0
package org.mailseal.auth;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.mailseal.policy.SendingLimit;
import org.mailseal.policy.SmtpReply;
import org.mailseal.policy.UserLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an authenticated user may still send: a suspended user nothing, the others within their
 * sending limits ({@link UserLimiter}, each user's own limits over the global ones). A user who
 * reaches a limit gets {@code 450 4.7.1} naming it and a WARN line with {@code ACTION:}; with
 * {@code suspendOnExceed} the user is also suspended in the users file, so the suspension outlives
 * a restart, until {@code mailseal users resume}. After a resume the user's counts start afresh.
 * Thread-safe.
 */
public final class AccountLimits {
  private static final Logger log = LoggerFactory.getLogger(AccountLimits.class);

  /**
   * Why a user may not send this message or to this recipient.
   *
   * @param limit the limit reached, empty when the user was already suspended
   * @param suspendedNow whether this refusal suspended the user
   */
  public record Refusal(SmtpReply reply, Optional<SendingLimit> limit, boolean suspendedNow) {}

  private final UserStore users;
  private final UserLimiter limiter;
  private final boolean suspendOnExceed;
  private final Clock clock;

  /** Users this server suspended, to notice their resume and reset their counts. */
  private final Map<String, Boolean> suspendedHere = new ConcurrentHashMap<>();

  public AccountLimits(UserStore users, UserLimiter limiter, boolean suspendOnExceed, Clock clock) {
    this.users = users;
    this.limiter = limiter;
    this.suspendOnExceed = suspendOnExceed;
    this.clock = clock;
  }

  /** At MAIL FROM: refused when suspended or at a message limit. */
  public Optional<Refusal> mailFrom(User user) {
    Optional<Suspension> s = user.suspended();
    if (s.isPresent()) {
      return Optional.of(
          new Refusal(
              new SmtpReply(
                  550,
                  "5.7.1",
                  "User "
                      + UsersFile.printable(user.name())
                      + " is suspended since "
                      + s.get().since()
                      + " ("
                      + UsersFile.printable(s.get().reason())
                      + "); ask the relay's administrator"),
              Optional.empty(),
              false));
    }
    if (suspendedHere.remove(user.name()) != null) {
      limiter.reset(user.name());
    }
    return limiter.mailFrom(user.name(), user.limits()).map(e -> exceeded(user, e));
  }

  /**
   * At RCPT TO: refused when {@code recipient} would cross a recipient limit.
   *
   * @param pending the recipients of this message accepted so far
   */
  public Optional<Refusal> recipient(User user, List<String> pending, String recipient) {
    return limiter
        .recipient(user.name(), user.limits(), pending, recipient)
        .map(e -> exceeded(user, e));
  }

  /** Counts a message of {@code user}, queued for {@code recipients}. */
  public void accepted(User user, List<String> recipients) {
    limiter.accepted(user.name(), recipients);
  }

  private Refusal exceeded(User user, UserLimiter.Exceeded e) {
    String name = UsersFile.printable(user.name());
    boolean suspended = false;
    if (suspendOnExceed) {
      Suspension why =
          new Suspension(clock.instant(), e.limit().key() + " " + e.value() + " reached");
      try {
        suspended = users.update(user.name(), u -> u.withSuspension(Optional.of(why))).isPresent();
        suspendedHere.put(user.name(), Boolean.TRUE);
      } catch (UserStoreException ex) {
        log.error("user not suspended user=\"{}\": {}", name, ex.getMessage());
      }
    }
    log.warn(
        "user limit reached user=\"{}\" limit={} value={} suspended={}; ACTION: check that {}"
            + " sent this mail (a stolen password sends in bulk: change it, remove app"
            + " passwords); {}",
        name,
        e.limit().key(),
        e.value(),
        suspended,
        name,
        suspended
            ? "then let the user send again with: mailseal users resume " + name
            : "if it is expected, raise limits." + e.limit().key() + " or the user's own limit");
    return new Refusal(e.reply(), Optional.of(e.limit()), suspended);
  }
}
