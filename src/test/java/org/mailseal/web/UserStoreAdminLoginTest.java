// SPDX-License-Identifier: Apache-2.0
package org.mailseal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.auth.AppPasswords;
import org.mailseal.auth.Authenticator;
import org.mailseal.auth.LoginThrottle;
import org.mailseal.auth.PasswordHasher;
import org.mailseal.auth.User;
import org.mailseal.auth.UserStore;
import org.mailseal.policy.SenderPattern;
import org.mailseal.testing.CheapHash;
import org.mailseal.testing.MutableClock;

/** The dashboard's login over the users file: the admin role, app passwords, new passwords. */
@Timeout(30)
class UserStoreAdminLoginTest {
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T02:00:00Z"));
  final SecureRandom random = new SecureRandom();
  final PasswordHasher hasher = new PasswordHasher(random);

  @Test
  void onlyTheMainPasswordOfAnAdminLogsInAndANewPasswordChangesTheVersion(@TempDir Path dir)
      throws Exception {
    UserStore users = new UserStore(dir.resolve("users.yaml"), clock);
    String name = "owner@example.com";
    User plain =
        new User(name, CheapHash.of("main"), List.of(SenderPattern.parse(name))).withAdmin(true);
    AppPasswords.Issued app = AppPasswords.issue(plain, "phone", hasher, random, clock.instant());
    User owner = plain.withAppPassword(app.credential());
    users.put(owner);
    AdminLogin login =
        new UserStoreAdminLogin(
            new Authenticator(users, hasher, new LoginThrottle(clock), clock, random),
            users,
            User::admin);
    InetAddress client = InetAddress.getLoopbackAddress();

    AdminLogin.Outcome ok = login.login(name, "main".toCharArray(), client);
    assertThat(ok).isInstanceOf(AdminLogin.Admin.class);
    String version = ((AdminLogin.Admin) ok).credentialVersion();
    assertThat(login.credentialVersion(name)).hasValue(version);

    assertThat(login.login(name, app.password(), client))
        .isEqualTo(
            new AdminLogin.Refused(
                AdminLogin.Reason.BAD_CREDENTIALS,
                "App passwords are for mail clients; log in with the user's own password."));

    users.put(owner.withPassword(CheapHash.of("main"), clock.instant()));
    clock.advance(Duration.ofSeconds(2));
    assertThat(login.credentialVersion(name)).isPresent().get().isNotEqualTo(version);

    users.put(users.find(name).orElseThrow().withAdmin(false));
    clock.advance(Duration.ofSeconds(2));
    assertThat(login.credentialVersion(name)).isEmpty();
    assertThat(login.login(name, "main".toCharArray(), client))
        .isEqualTo(
            new AdminLogin.Refused(
                AdminLogin.Reason.NOT_ADMIN, "This user may not use the dashboard."));
  }
}
