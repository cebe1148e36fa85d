#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Proof of the Debian package, run by .ci/run after `mvn -B verify` (as root, on a disposable
# Debian machine): inspect target/mailseal_*_all.deb, install it with dpkg -i, run the installed
# commands, start `mailseal serve` as the mailseal user (systemd is not running here), send a
# message through /usr/sbin/sendmail -t, and through cron's own mail when cron is installed,
# check both arrived signed in the outbox, purge the package and check nothing is left behind.
#
#   deploy/debian/test-install.sh [DEB]     (default: the one in target/)
#
# Refuses to run where mailseal is already installed, or not as root.
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root (it installs and purges the package)"
if dpkg-query -W -f='${Status}' mailseal 2>/dev/null | grep -q "installed"; then
  fail "mailseal is already installed; this test installs and purges it"
fi
deb="${1:-$(ls target/mailseal_*_all.deb 2>/dev/null | head -n 1)}"
[ -f "$deb" ] || fail "no package: run mvn -B package first"
deb="$(readlink -f "$deb")"

work="$(mktemp -d)"
serve_pid=""
cron_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  [ -n "$cron_pid" ] && kill "$cron_pid" 2>/dev/null || true
  rm -f /etc/cron.d/mailseal-test
  if dpkg-query -W -f='${Status}' mailseal 2>/dev/null | grep -q "installed"; then
    dpkg --purge mailseal >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

snapshot() {
  find /etc /usr /lib /var/lib -xdev \
    \( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/lib/systemd/deb-systemd-helper-enabled \
       -o -path /var/lib/systemd/deb-systemd-helper-masked -o -path /var/lib/ucf \
       -o -path /var/lib/postgresql -o -path /var/lib/bind -o -path /var/lib/prometheus \) -prune \
    -o -print 2>/dev/null | sort
}

say "inspect $deb"
dpkg-deb -I "$deb" > "$work/info"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$work/contents"
grep -q '^ Package: mailseal$' "$work/info" || fail "control: Package"
grep -q '^ Architecture: all$' "$work/info" || fail "control: Architecture"
grep -q '^ Depends: .*java17-runtime-headless' "$work/info" || fail "control: Depends on Java 17"
for f in /usr/bin/mailseal /usr/share/mailseal/mailseal.jar /etc/mailseal/mailseal.yaml \
  /lib/systemd/system/mailseal.service /usr/lib/mailseal/sendmail /usr/share/man/man1/mailseal.1.gz \
  /usr/share/man/man1/mailseal-sendmail.1.gz /usr/share/bash-completion/completions/mailseal \
  /usr/share/doc/mailseal/copyright /usr/share/doc/mailseal/changelog.gz; do
  grep -qx "$f" "$work/contents" || fail "package lacks $f"
done
grep -q '^/var/log' "$work/contents" && fail "package ships something under /var/log"
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/mailseal/mailseal.yaml "$work/control/conffiles" || fail "mailseal.yaml is no conffile"

if command -v lintian >/dev/null; then
  say "lintian"
  lintian --fail-on error --allow-root "$deb" || fail "lintian reports an error"
else
  echo "SKIPPED: lintian is not installed (apt-get install lintian); package not linted" >&2
fi

before="$work/before"
snapshot > "$before"
getent passwd mailseal >/dev/null && fail "a mailseal user exists before the install"

say "dpkg -i"
dpkg -i "$deb"
# From here on, run as an installed command is run: outside any source tree, whose
# ./config/mailseal.yaml would otherwise be found first.
cd "$work"
getent passwd mailseal >/dev/null || fail "postinst made no mailseal user"
[ "$(stat -c '%U %a' /var/lib/mailseal)" = "mailseal 700" ] || fail "/var/lib/mailseal is not mailseal 0700"
sendmail=/usr/sbin/sendmail
ours_before=no
if [ "$(readlink -f /usr/sbin/sendmail)" = /usr/lib/mailseal/sendmail ]; then
  say "/usr/sbin/sendmail is mailseal's (update-alternatives)"
  ours_before=yes
elif grep -qx /usr/sbin/sendmail "$before"; then
  # Another MTA provides it: the package must leave it alone.
  echo "NOTE: another MTA provides /usr/sbin/sendmail; using /usr/lib/mailseal/sendmail" >&2
  sendmail=/usr/lib/mailseal/sendmail
else
  fail "/usr/sbin/sendmail was not made mailseal's"
fi

say "mailseal --version; mailseal config check"
version="$(mailseal --version)"
echo "$version"
[[ "$version" == "mailseal "* ]] || fail "--version printed: $version"
mailseal config check | tee "$work/check"
grep -q '^/etc/mailseal/mailseal.yaml: OK$' "$work/check" || fail "config check did not find /etc/mailseal/mailseal.yaml"
grep -q 'relative paths: under /var/lib/mailseal (server.base-directory)' "$work/check" \
  || fail "config check does not say /var/lib/mailseal"
man -w mailseal-sendmail >/dev/null 2>&1 || [ ! -x /usr/bin/man ] || fail "man cannot find mailseal-sendmail"

say "mailseal serve as the mailseal user"
# As the unit runs it: user mailseal, from /var/lib/mailseal, the installed configuration.
(cd /var/lib/mailseal && exec setpriv --reuid=mailseal --regid=mailseal --init-groups \
  /usr/bin/mailseal serve --config /etc/mailseal/mailseal.yaml) > "$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 120); do
  grep -q "mailseal is running" "$work/serve.log" && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.log"; fail "serve exited"; }
  sleep 0.5
done
grep -q "mailseal is running" "$work/serve.log" || { cat "$work/serve.log"; fail "serve did not start"; }
grep "mailseal is running" "$work/serve.log"

say "sendmail -t"
outbox=/var/lib/mailseal/var/outbox
"$sendmail" -t -oi <<'EOF'
From: Package Test <root@example.com>
To: someone@example.org
Bcc: hidden@example.org
Subject: installed package test

sent through /usr/sbin/sendmail -t
EOF
await_outbox() {
  for _ in $(seq 1 "$2"); do
    if grep -l -- "$1" "$outbox"/*.eml >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  return 1
}
await_outbox "installed package test" 60 || { cat "$work/serve.log"; fail "the message did not reach the outbox"; }
eml="$(grep -l "installed package test" "$outbox"/*.eml | head -n 1)"
grep -q '^DKIM-Signature: ' "$eml" || fail "the delivered message is not signed"
grep -q '^Bcc:' "$eml" && fail "Bcc was not removed"
grep -q 'RCPT TO:<hidden@example.org>' "${eml%.eml}.envelope" || fail "Bcc recipient missing from the envelope"
[ "$(stat -c %U "$eml")" = mailseal ] || fail "outbox file not owned by mailseal"
say "arrived signed: $eml"

say "exit status when the relay refuses the sender"
set +e
printf 'Subject: x\n\nx\n' | "$sendmail" -f someone@elsewhere.example root
status=$?
set -e
[ "$status" -eq 77 ] || fail "sendmail exited $status for a refused sender, not 77 (EX_NOPERM)"

if [ "$ours_before" = no ]; then
  echo "SKIPPED: /usr/sbin/sendmail is another MTA's; cron's own mail not tried" >&2
elif command -v cron >/dev/null; then
  if pgrep -x cron >/dev/null; then
    say "cron is already running here: not starting another one, cron step skipped"
  else
    say "cron's own mail (waits for the next minute)"
    printf 'MAILTO=root\n* * * * * root echo cron-mail-through-mailseal\n' > /etc/cron.d/mailseal-test
    chmod 0644 /etc/cron.d/mailseal-test
    cron -f -L 15 > "$work/cron.log" 2>&1 &
    cron_pid=$!
    await_outbox "cron-mail-through-mailseal" 300 || { cat "$work/cron.log" "$work/serve.log"; fail "cron's mail did not reach the outbox"; }
    eml="$(grep -l "cron-mail-through-mailseal" "$outbox"/*.eml | head -n 1)"
    grep -q '^From: root@example.com (Cron Daemon)' "$eml" || fail "cron's From was not qualified"
    grep -q '^DKIM-Signature: ' "$eml" || fail "cron's mail is not signed"
    kill "$cron_pid"; wait "$cron_pid" 2>/dev/null || true; cron_pid=""
    rm -f /etc/cron.d/mailseal-test
    say "cron's mail arrived signed: $eml"
  fi
else
  echo "SKIPPED: cron is not installed (apt-get install cron); cron's own mail not tried" >&2
fi

say "stop serve"
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "serve exited $? after SIGTERM"
serve_pid=""

say "dpkg --purge"
dpkg --purge mailseal
getent passwd mailseal >/dev/null && fail "the mailseal user is still there"
getent group mailseal >/dev/null && fail "the mailseal group is still there"
if [ "$ours_before" = yes ] && { [ -e /usr/sbin/sendmail ] || [ -L /usr/sbin/sendmail ]; }; then
  fail "/usr/sbin/sendmail is left behind"
fi
[ -e /var/lib/dpkg/alternatives/sendmail ] && fail "the sendmail alternative is left behind"
snapshot > "$work/after"
if ! diff "$before" "$work/after" > "$work/left"; then
  cat "$work/left"
  fail "the purge left files behind (or removed some)"
fi
say "OK: installed, ran, sent, purged; nothing left behind"
